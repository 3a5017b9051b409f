"""The reference graph built from the bundled CSV files, queried with SPARQL."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import KlasterError
from kg.namespaces import GRAPH_REFERENCE, graph_iri, sparql_prologue
from kg.reference import (ReferenceDataError, parse_region_row, read_regions, reference_quads,
                          reference_triples, source_iris)
from kg.store import EmbeddedStore

BASE = "https://w3id.org/klaster/id/"


@pytest.fixture(scope="module")
def store():
    store = EmbeddedStore()
    store.add(reference_quads(BASE))
    yield store
    store.close()


def expand(body: str) -> str:
    """``id:wilayah/35.15`` → ``<{BASE}wilayah/35.15>``: prefixed names cannot hold a ``/``."""
    return re.sub(r"\bid:([\w./-]*[\w/-])", lambda m: f"<{BASE}{m.group(1)}>", body)


def select(store: EmbeddedStore, body: str) -> list[dict[str, str]]:
    result = store.query(sparql_prologue(BASE) + expand(body))
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def number(store: EmbeddedStore, body: str) -> int:
    (row,) = select(store, body)
    return int(row["n"])


def test_everything_lands_in_the_reference_graph(store):
    assert store.graphs() == [graph_iri(BASE, GRAPH_REFERENCE)]
    assert store.count(graph_iri(BASE, GRAPH_REFERENCE)) > 700_000


@pytest.mark.parametrize("cls, expected", [
    ("kl:Province", 38), ("kl:Regency", 416), ("kl:City", 98), ("kl:District", 7_285),
    ("kl:Village", 75_252), ("kl:UrbanVillage", 8_496), ("kl:CustomaryVillage", 14),
])
def test_region_counts_per_level(store, cls, expected):
    assert number(store, f"SELECT (COUNT(?r) AS ?n) WHERE {{ ?r a {cls} }}") == expected


def test_all_regions_and_village_level_total(store):
    assert number(store, "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r kl:kemendagriCode ?c }") == 91_599
    assert number(store, """SELECT (COUNT(?r) AS ?n) WHERE {
        VALUES ?c { kl:Village kl:UrbanVillage kl:CustomaryVillage } ?r a ?c }""") == 83_762


def test_only_the_most_specific_class_is_asserted(store):
    assert number(store, """SELECT (COUNT(?r) AS ?n) WHERE {
        ?r kl:kemendagriCode ?c ; a ?t1, ?t2 FILTER(?t1 != ?t2) }""") == 0
    assert number(store, "SELECT (COUNT(*) AS ?n) WHERE { ?r kl:within ?x }") == 0


def test_every_region_has_one_label_notation_and_code_version(store):
    rows = select(store, """SELECT ?r (COUNT(DISTINCT ?l) AS ?labels) (COUNT(DISTINCT ?p) AS ?pref)
            (COUNT(DISTINCT ?nt) AS ?notations) (COUNT(DISTINCT ?v) AS ?versions) WHERE {
          ?r kl:kemendagriCode ?code .
          OPTIONAL { ?r rdfs:label ?l } OPTIONAL { ?r skos:prefLabel ?p }
          OPTIONAL { ?r skos:notation ?nt } OPTIONAL { ?r kl:codeVersion ?v }
        } GROUP BY ?r HAVING (?labels != 1 || ?pref != 1 || ?notations != 1 || ?versions != 1)""")
    assert rows == []
    assert number(store, """SELECT (COUNT(?r) AS ?n) WHERE {
        ?r kl:kemendagriCode ?c ; skos:notation ?c ; wdt:P2588 ?c ;
           kl:codeVersion id:dokumen/kepmendagri-300.2.2-2138-2025 }""") == 91_599
    assert number(store, """SELECT (COUNT(?r) AS ?n) WHERE {
        ?r kl:kemendagriCode ?c FILTER NOT EXISTS { ?r kl:parentRegion ?p } }""") == 38


def test_wedoro_chain_up_to_jawa_timur(store):
    rows = select(store, """SELECT ?label ?code WHERE {
        id:wilayah/35.15.18.2013 rdfs:label ?label ; skos:prefLabel ?label ; kl:kemendagriCode ?code ;
            a kl:Village }""")
    assert rows == [{"label": "Wedoro", "code": "35.15.18.2013"}]
    ancestors = select(store, """SELECT ?a ?label WHERE {
        id:wilayah/35.15.18.2013 kl:parentRegion+ ?a . ?a rdfs:label ?label }""")
    assert {(r["a"].removeprefix(BASE), r["label"]) for r in ancestors} == {
        ("wilayah/35.15.18", "Waru"), ("wilayah/35.15", "Kabupaten Sidoarjo"),
        ("wilayah/35", "Jawa Timur")}
    assert select(store, """SELECT ?p WHERE { id:wilayah/35.15.18 kl:parentRegion ?p }""") == [
        {"p": BASE + "wilayah/35.15"}]
    assert select(store, """SELECT ?p WHERE { id:wilayah/35.15 kl:parentRegion ?p }""") == [
        {"p": BASE + "wilayah/35"}]


def test_jawa_timur_counts_match_the_decree(store):
    assert number(store, """SELECT (COUNT(?r) AS ?n) WHERE {
        ?r kl:parentRegion id:wilayah/35 ; a kl:Regency }""") == 29
    assert number(store, """SELECT (COUNT(?r) AS ?n) WHERE {
        ?r kl:parentRegion id:wilayah/35 ; a kl:City }""") == 9
    assert number(store, """SELECT (COUNT(?r) AS ?n) WHERE {
        ?r a kl:District ; kl:parentRegion/kl:parentRegion id:wilayah/35 }""") == 666


def test_names_are_trimmed(store):
    assert select(store, "SELECT ?l WHERE { id:wilayah/31.72 rdfs:label ?l }") == [
        {"l": "Kota Administrasi Jakarta Utara"}]


def test_population_and_area(store):
    rows = select(store, """SELECT ?pop ?area WHERE {
        id:wilayah/35.15 kl:population ?pop ; kl:areaKm2 ?area }""")
    assert len(rows) == 1
    assert int(rows[0]["pop"]) > 1_000_000
    assert float(rows[0]["area"]) > 0
    assert select(store, """SELECT ?dt WHERE { id:wilayah/35 kl:population ?p BIND(DATATYPE(?p) AS ?dt) }""") \
        == [{"dt": "http://www.w3.org/2001/XMLSchema#integer"}]
    assert select(store, """SELECT ?dt WHERE { id:wilayah/35 kl:areaKm2 ?a BIND(DATATYPE(?a) AS ?dt) }""") \
        == [{"dt": "http://www.w3.org/2001/XMLSchema#decimal"}]
    # Only provinces and kabupaten/kota carry figures; 552 of them have a population.
    assert number(store, """SELECT (COUNT(?r) AS ?n) WHERE { ?r kl:population ?p }""") == 552
    assert number(store, """SELECT (COUNT(?r) AS ?n) WHERE {
        ?r kl:population ?p FILTER NOT EXISTS {
          VALUES ?c { kl:Province kl:Regency kl:City } ?r a ?c } }""") == 0


def members(store, area: str) -> list[dict[str, str]]:
    return select(store, f"""SELECT ?code ?status WHERE {{
        ?m a kl:CooperationMembership ; org:organization id:kawasan/{area} ;
           kl:memberRegion ?r ; kl:membershipStatus ?s .
        ?r kl:kemendagriCode ?code BIND(STRAFTER(STR(?s), "#") AS ?status) }} ORDER BY ?code""")


def test_karisma_pawirogo_has_its_seven_stated_members(store):
    assert members(store, "karisma-pawirogo") == [
        {"code": c, "status": "StatedMembership"}
        for c in ["33.12", "33.13", "33.14", "35.01", "35.02", "35.20", "35.21"]]
    assert select(store, """SELECT ?l WHERE {
        id:kawasan/karisma-pawirogo a kl:CooperationArea ; rdfs:label ?l }""") == [
        {"l": "Karisma Pawirogo"}]


def test_ratubangnegoro_members_since_2006(store):
    rows = select(store, """SELECT ?code ?year WHERE {
        ?m org:organization id:kawasan/ratubangnegoro ; kl:memberRegion/kl:kemendagriCode ?code ;
           org:memberDuring [ a time:Interval ; time:hasBeginning [ a time:Instant ;
                                                                 time:inXSDgYear ?year ] ] }
        ORDER BY ?code""")
    assert rows == [{"code": c, "year": "2006"} for c in ["33.16", "33.17", "35.22", "35.23"]]


def test_grebang_marks_nganjuk_and_kediri_disputed(store):
    rows = members(store, "grebang-ratubangnegoro-kertowilangan")
    assert len(rows) == 12
    assert {r["code"] for r in rows if r["status"] == "DisputedMembership"} == {"35.18", "35.06"}
    date = select(store, """SELECT ?d WHERE {
        id:kawasan/grebang-ratubangnegoro-kertowilangan/anggota/35.18
          org:memberDuring/time:hasBeginning/time:inXSDDate ?d }""")
    assert date == [{"d": "2022-10-20"}]


def test_membership_sources_are_iris_and_notes_are_comments(store):
    m = "id:kawasan/karisma-pawirogo/anggota/35.20"
    assert select(store, f"SELECT ?s WHERE {{ {m} dcterms:source ?s }}") == [
        {"s": "https://suara.ngawikab.go.id/?p=2544"}]
    (comment,) = select(store, f"SELECT ?c WHERE {{ {m} rdfs:comment ?c }}")
    assert "seed article" in comment["c"]
    assert number(store, """SELECT (COUNT(*) AS ?n) WHERE {
        ?x dcterms:source ?s FILTER(!isIRI(?s) || !STRSTARTS(STR(?s), "https://")) }""") == 0


def test_kbli_15201_with_version_and_scheme(store):
    rows = select(store, """SELECT ?label ?version ?scheme_version WHERE {
        id:kbli/2020/15201 a kl:IndustryClass, skos:Concept ; skos:notation "15201" ;
            skos:prefLabel ?label ; rdfs:label ?label ; kl:classificationVersion ?version ;
            skos:inScheme id:skema/kbli-2020 ; dcterms:source <https://oss.go.id/> .
        id:skema/kbli-2020 a skos:ConceptScheme ; owl:versionInfo ?scheme_version }""")
    assert rows == [{"label": "Industri Alas Kaki Untuk Keperluan Sehari-hari",
                     "version": "KBLI 2020", "scheme_version": "KBLI 2020"}]
    assert number(store, "SELECT (COUNT(?c) AS ?n) WHERE { ?c a kl:IndustryClass }") == 21


def test_legal_documents(store):
    rows = select(store, """SELECT ?d ?id WHERE { ?d a kl:LegalDocument ; dcterms:identifier ?id ;
                                                     rdfs:label ?l }""")
    assert {r["d"].removeprefix(BASE) for r in rows} == {
        "dokumen/kepmendagri-300.2.2-2138-2025", "dokumen/kepmendagri-300.2.2-2430-2025",
        "dokumen/pp-7-2021", "dokumen/pp-29-2018"}


def test_datasets_carry_source_and_licence(store):
    rows = select(store, """SELECT ?d WHERE { ?d a dcat:Dataset, void:Dataset ; dcterms:title ?t ;
        dcterms:description ?x ; dcterms:source ?s FILTER(LANG(?t) = "en") } GROUP BY ?d""")
    assert {r["d"].removeprefix(BASE) for r in rows} == {"dataset/wilayah", "dataset/kbli",
                                                         "dataset/kawasan"}
    (wilayah,) = select(store, """SELECT ?license ?rights WHERE {
        id:dataset/wilayah dcterms:source <https://github.com/cahyadsn/wilayah> ;
            dcterms:license ?license ; dcterms:rights ?rights }""")
    assert wilayah["license"] == "http://spdx.org/licenses/MIT"
    assert "Copyright (c) Cahya DSN" in wilayah["rights"]


def write_csv(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "wilayah.csv"
    path.write_text("kode,nama,jenis,induk\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("bad_line, message", [
    ("35.1,Sidoarjo,kabupaten,35", "malformed Kemendagri code"),
    ("35.15,Sidoarjo,regency,35", "unknown jenis"),
    ("35.15,Sidoarjo,kota,35", "does not fit the code"),
    ("35.15.18.2013,Wedoro,desa,35.15.18", "not in the file"),
    ("35.15,Sidoarjo,kabupaten,", "has parent (none)"),
    ("35.15, ,kabupaten,35", "has no name"),
])
def test_malformed_row_names_its_line(tmp_path, bad_line, message):
    path = write_csv(tmp_path, "35,Jawa Timur,provinsi,", bad_line)
    with pytest.raises(ReferenceDataError) as caught:
        read_regions(path)
    assert isinstance(caught.value, KlasterError)
    assert "line 3" in caught.value.detail
    assert message in caught.value.detail
    assert caught.value.status == 400


def test_row_parser_accepts_a_good_row():
    row = parse_region_row({"kode": "35.15.18.2013", "nama": " Wedoro ", "jenis": "desa",
                            "induk": "35.15.18"}, 7)
    assert (row.code, row.name, row.level, row.parent, row.line) == (
        "35.15.18.2013", "Wedoro", "desa", "35.15.18", 7)


def test_source_iris_from_notes():
    assert source_iris("seed article; suara.ngawikab.go.id/?p=2544") == [
        "https://suara.ngawikab.go.id/?p=2544"]
    assert source_iris("oss.go.id via github.com/UserGhost411/KBLI-2020-Dataset (kbli_kelompok.json)") \
        == ["https://oss.go.id/", "https://github.com/UserGhost411/KBLI-2020-Dataset"]
    assert source_iris("seed article") == []


def test_custom_base_iri_is_honoured():
    base = "http://example.org/k/"
    seen_wedoro = False
    for triple in reference_triples(base):
        for term in (triple.subject, triple.object):
            if isinstance(term, ox.NamedNode):
                assert not term.value.startswith(BASE), term
        if triple.subject == ox.NamedNode(base + "wilayah/35.15.18.2013") and \
                triple.object == ox.NamedNode(base + "wilayah/35.15.18"):
            seen_wedoro = True
    assert seen_wedoro
