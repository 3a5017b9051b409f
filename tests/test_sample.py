"""The bundled sample knowledge graph (kg/data/sample/*.ttl): it parses against the instance base,
points only at real region codes and KBLI classes, keeps documented and illustrative data apart, and
holds the seed examples the questions are demonstrated with."""

from __future__ import annotations

import csv
import importlib
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

BASE = "https://w3id.org/klaster/id/"
KL = "https://w3id.org/klaster/ontology#"
REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "kg" / "data" / "sample"
REFERENCE = REPO / "kg" / "data" / "reference"
ONTOLOGY = REPO / "ontology" / "klaster.ttl"

PREFIXES = f"""
PREFIX kl: <{KL}>
PREFIX s: <{BASE}sentra/>
PREFIX ds: <{BASE}dataset/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

#: The 13 documented sentra of sentra-evidence.csv, by their IRI slug, with the region they sit in.
DOCUMENTED = {
    "wedoro": "35.15.18.2013",
    "tanggulangin": "35.15.06",
    "magetan-kulit-lik": "35.20.06.2005",
    "magetan-samak-nabati": "35.20.16",
    "magetan-kerajinan-kulit": "35.20.06.1010",
    "kampung-sepatu-kota-mojokerto": "35.76.01",
    "jambuwok": "35.16.12.2001",
    "krembangan-sandal-ukir": "35.17.02.2012",
    "batik-tenun-gedog-kerek": "35.23.08",
    "batik-lasem": "33.17.14",
    "batik-masaran": "33.14.03",
    "akar-jati-blora": "33.16.08.2012",
    "mete-wonogiri": "33.12.20",
}

#: Classes whose instances are claims: documented (dcterms:source) or kl:isIllustrative true.
CLAIM_CLASSES = ("kl:Sentra", "kl:Klaster", "kl:Linkage", "kl:Intervention", "kl:Programme",
                 "kl:Enterprise", "qb:Observation")

#: Attributes of a sentra that sources rarely state; on documented sentra each needs an rdf:Statement.
ATTRIBUTES = ("kl:usesTechnology", "kl:needsSkill", "kl:financedBy", "kl:usesFinancingScheme",
              "kl:needsInput")


def sample_files() -> list[Path]:
    return sorted(SAMPLE.glob("*.ttl"))


def _reference_triples():
    """``kg.reference.reference_triples`` when that module exists, else None (CSV checks only)."""
    try:
        module = importlib.import_module("kg.reference")
    except ImportError:
        return None
    return getattr(module, "reference_triples", None)


@pytest.fixture(scope="module")
def sample() -> ox.Store:
    store = ox.Store()
    for path in sample_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    return store


@pytest.fixture(scope="module")
def combined(sample: ox.Store) -> ox.Store:
    """Sample + ontology + (when available) reference data, all in the default graph."""
    store = ox.Store()
    store.extend(sample.quads_for_pattern(None, None, None))
    if ONTOLOGY.is_file():
        store.load(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE)
    build = _reference_triples()
    if build is not None:
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                     for t in build(BASE))
    return store


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query(PREFIXES + query)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def ask(store: ox.Store, query: str) -> bool:
    return bool(store.query(PREFIXES + query))


def csv_codes(name: str, column: str) -> set[str]:
    with open(REFERENCE / name, newline="", encoding="utf-8") as handle:
        return {row[column] for row in csv.DictReader(handle)}


# -- syntax -----------------------------------------------------------------------------------------

def test_every_file_parses_with_both_parsers_and_uses_only_relative_instance_iris():
    assert len(sample_files()) >= 6
    for path in sample_files():
        text = path.read_text(encoding="utf-8")
        directives = [line for line in text.splitlines()
                      if line.lstrip().lower().startswith(("@base", "base "))]
        assert directives == [], path.name
        graph = rdflib.Graph().parse(path, format="turtle", publicID=BASE)
        store = ox.Store()
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=BASE)
        assert len(graph) == len(store) > 0, path.name


def test_instance_iris_resolve_against_another_base():
    other = "http://localhost:8000/id/"
    store = ox.Store()
    for path in sample_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=other)
    wedoro = ox.NamedNode(other + "sentra/wedoro")
    located = list(store.quads_for_pattern(wedoro, ox.NamedNode(KL + "locatedIn"), None))
    assert [q.object.value for q in located] == [other + "wilayah/35.15.18.2013"]
    absolute = {term.value for q in store.quads_for_pattern(None, None, None)
                for term in (q.subject, q.object)
                if isinstance(term, ox.NamedNode) and term.value.startswith(BASE)}
    assert absolute == set()  # no instance IRI is written out in full


def test_only_ontology_terms_are_used(sample):
    if not ONTOLOGY.is_file():  # the ontology is written in parallel; the CSV checks still run
        pytest.fail("ontology/klaster.ttl is missing")
    ontology = ox.Store()
    ontology.load(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE)
    defined = {q.subject.value for q in ontology.quads_for_pattern(None, None, None)
               if isinstance(q.subject, ox.NamedNode)}
    used = set()
    for q in sample.quads_for_pattern(None, None, None):
        for term in (q.predicate, q.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(KL):
                used.add(term.value)
    assert used - defined == set()


# -- join keys --------------------------------------------------------------------------------------

def test_every_region_iri_is_an_official_code(sample, combined):
    codes = csv_codes("wilayah.csv", "kode")
    used = {row["r"] for row in select(sample, """
        SELECT DISTINCT ?r WHERE { ?s kl:locatedIn ?r }""")}
    assert len(used) > 30
    bad = [iri for iri in used if not iri.startswith(BASE + "wilayah/")
           or iri.removeprefix(BASE + "wilayah/") not in codes]
    assert bad == []
    if _reference_triples() is not None:  # the reference graph minted every one of them
        missing = [row["r"] for row in select(combined, """
            SELECT DISTINCT ?r WHERE { ?s kl:locatedIn ?r
                FILTER NOT EXISTS { ?r kl:kemendagriCode ?code } }""")]
        assert missing == []


def test_every_kbli_iri_is_in_the_bundled_subset(sample, combined):
    codes = csv_codes("kbli2020-subset.csv", "kode")
    used = set()
    for q in sample.quads_for_pattern(None, None, None):
        for term in (q.subject, q.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(BASE + "kbli/"):
                used.add(term.value)
    assert len(used) >= 10
    assert {iri for iri in used if not iri.startswith(BASE + "kbli/2020/")
            or iri.removeprefix(BASE + "kbli/2020/") not in codes} == set()
    if _reference_triples() is not None:
        missing = [iri for iri in used if not ask(combined, f"ASK {{ <{iri}> a kl:IndustryClass }}")]
        assert missing == []


# -- labels -----------------------------------------------------------------------------------------

def test_every_typed_resource_has_a_label_and_concepts_have_both_languages(sample):
    unlabelled = select(sample, """
        SELECT DISTINCT ?s WHERE { ?s a ?type FILTER NOT EXISTS { ?s rdfs:label ?l } }""")
    assert unlabelled == []
    concepts = select(sample, """
        SELECT ?c WHERE { ?c a skos:Concept
            FILTER NOT EXISTS {
                ?c skos:prefLabel ?id , ?en ; skos:inScheme ?scheme
                FILTER (lang(?id) = "id" && lang(?en) = "en") } }""")
    assert concepts == []
    classified = select(sample, "SELECT ?p WHERE { ?p a kl:Product ; kl:classifiedAs ?k }")
    assert len(classified) >= 20


# -- honesty ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", CLAIM_CLASSES)
def test_every_claim_is_documented_or_illustrative_never_both(sample, cls):
    rows = select(sample, f"""
        SELECT ?s (COUNT(DISTINCT ?src) AS ?sources) (SAMPLE(?ill) AS ?illustrative)
        WHERE {{ ?s a {cls} OPTIONAL {{ ?s dcterms:source ?src }}
                 OPTIONAL {{ ?s kl:isIllustrative ?ill }} }}
        GROUP BY ?s""")
    assert rows, f"no {cls} in the sample"
    for row in rows:
        documented = int(row["sources"]) > 0
        illustrative = row.get("illustrative") == "true"
        assert documented != illustrative, row


def test_sources_are_web_addresses(sample):
    rows = select(sample, "SELECT DISTINCT ?src WHERE { ?s dcterms:source ?src }")
    assert rows
    for row in rows:
        assert row["src"].startswith("https://"), row


def test_attributes_of_documented_sentra_are_qualified_by_statements(sample):
    """Every technology, skill, financing or input on a documented sentra has an rdf:Statement that
    either cites a source or is marked illustrative; and no statement floats without its triple."""
    unqualified = select(sample, f"""
        SELECT ?s ?p ?o WHERE {{
            VALUES ?p {{ {' '.join(ATTRIBUTES)} }}
            ?s a kl:Sentra ; dcterms:source ?src ; ?p ?o .
            FILTER NOT EXISTS {{
                ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
                {{ ?st kl:isIllustrative true }} UNION {{ ?st dcterms:source ?any }} }} }}""")
    assert unqualified == []
    dangling = select(sample, """
        SELECT ?st WHERE { ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o
                           FILTER NOT EXISTS { ?s ?p ?o } }""")
    assert dangling == []
    illustrative_attributes = select(sample, """
        SELECT ?st WHERE { ?st a rdf:Statement ; kl:isIllustrative true }""")
    documented_attributes = select(sample, """
        SELECT ?st WHERE { ?st a rdf:Statement ; dcterms:source ?src }""")
    assert len(illustrative_attributes) > 50 and len(documented_attributes) >= 5


def test_the_documented_sentra_are_present_with_sources_and_locations(sample):
    for slug, code in DOCUMENTED.items():
        assert ask(sample, f"""ASK {{
            s:{slug} a kl:Sentra ; rdfs:label ?l ; rdfs:comment ?c ; kl:produces ?p ;
                kl:industryCode ?k ; kl:locatedIn <{BASE}wilayah/{code}> ; dcterms:source ?src .
            FILTER NOT EXISTS {{ s:{slug} kl:isIllustrative ?x }} }}"""), slug
    illustrative = select(sample, """
        SELECT ?s WHERE { ?s a kl:Sentra ; kl:isIllustrative true ; rdfs:comment "Ilustratif"@id }""")
    assert 20 <= len(illustrative) <= 35


def test_the_sample_dataset_says_it_mixes_facts_and_illustration(sample):
    rows = select(sample, """
        SELECT ?d WHERE { ds:sampel a <http://www.w3.org/ns/dcat#Dataset> ;
                          dcterms:description ?d FILTER (lang(?d) = "en") }""")
    assert rows and "ILLUSTRATIVE" in rows[0]["d"] and "DOCUMENTED" in rows[0]["d"]


# -- seed examples ----------------------------------------------------------------------------------

@pytest.mark.parametrize("partner", ["kampung-sepatu-kota-mojokerto", "jambuwok",
                                     "krembangan-sandal-ukir"])
def test_wedoro_shares_technology_with_the_mojokerto_and_jombang_sentra(combined, partner):
    rows = select(combined, f"""
        SELECT ?t WHERE {{ s:wedoro kl:usesTechnology ?t .
                           s:{partner} kl:usesTechnology ?t }}""")
    assert rows, partner


def test_wedoro_partner_questions_have_several_ranked_answers(combined):
    for prop in ("kl:usesTechnology", "kl:needsSkill", "kl:financedBy"):
        rows = select(combined, f"""
            SELECT ?other (COUNT(DISTINCT ?x) AS ?n) WHERE {{
                s:wedoro {prop} ?x . ?other {prop} ?x FILTER (?other != s:wedoro) }}
            GROUP BY ?other""")
        counts = sorted({int(r["n"]) for r in rows})
        assert len(rows) >= 3 and len(counts) >= 2, prop  # several partners, different scores
    suppliers = select(combined, """
        SELECT DISTINCT ?other WHERE { s:wedoro kl:needsInput ?p . ?other kl:produces ?p }""")
    assert len(suppliers) >= 2


def test_magetan_tanneries_supply_tanggulangin(combined):
    assert ask(combined, """ASK {
        ?l a kl:Linkage ; kl:linkageKind kl:ProductLinkage ; kl:linkageStatus kl:Observed ;
           kl:linkageSource s:magetan-kulit-lik ; kl:linkageTarget s:tanggulangin ;
           kl:sharedItem ?leather ; dcterms:source ?src .
        s:magetan-kulit-lik kl:produces ?leather .
        s:tanggulangin kl:needsInput ?leather }""")
    assert ask(combined, """ASK {
        ?l kl:linkageStatus kl:Observed ; kl:evidenceStrength "weak" ;
           kl:linkageSource s:kampung-sepatu-kota-mojokerto }""")


def test_cross_province_pairs_in_the_cooperation_areas(combined):
    """Magetan (Jawa Timur) shares with Sragen or Wonogiri (Jawa Tengah); Tuban with Rembang."""
    for east, west_regency in (("magetan-kerajinan-kulit", "33.14"), ("magetan-kerajinan-kulit", "33.12"),
                               ("batik-tenun-gedog-kerek", "33.17")):
        rows = select(combined, f"""
            SELECT DISTINCT ?other WHERE {{
                VALUES ?p {{ kl:usesTechnology kl:needsSkill }}
                s:{east} ?p ?x . ?other ?p ?x ; kl:locatedIn ?r .
                FILTER (STRSTARTS(STR(?r), "{BASE}wilayah/{west_regency}")) }}""")
        assert rows, (east, west_regency)


def test_observations_cover_several_years_and_some_are_documented(sample):
    years = {row["y"] for row in select(sample, """
        SELECT DISTINCT ?y WHERE { ?o a qb:Observation ; kl:refPeriod ?y ; kl:refSentra ?s ;
                                      kl:refIndustry ?k ; kl:unitCount ?u ; kl:workerCount ?w }""")}
    assert len(years) >= 4
    lasem = select(sample, """
        SELECT ?u ?w WHERE { ?o kl:refSentra s:batik-lasem ; kl:refPeriod "2022"^^xsd:gYear ;
                                kl:unitCount ?u ; kl:workerCount ?w ; dcterms:source ?src }""")
    assert lasem == [{"u": "78", "w": "1032"}]


def test_some_specialised_sentra_were_reached_by_no_programme(sample):
    unreached = select(sample, """
        SELECT ?s WHERE { ?s a kl:Sentra ; kl:industryCode ?k .
                          FILTER NOT EXISTS { ?i kl:reachedSentra ?s } }""")
    reached = select(sample, "SELECT DISTINCT ?s WHERE { ?i a kl:Intervention ; kl:reachedSentra ?s }")
    assert len(unreached) >= 5 and len(reached) >= 8
    for slug in ("jambuwok", "magetan-samak-nabati"):
        assert {"s": f"{BASE}sentra/{slug}"} in unreached


def _units_by_regency(sample: ox.Store, year: int) -> dict[tuple[str, str], int]:
    """Units per (kabupaten/kota code, KBLI code) in a year, the regency taken from the code itself."""
    rows = select(sample, f"""
        SELECT ?r ?k ?u WHERE {{ ?o kl:refSentra ?s ; kl:refPeriod "{year}"^^xsd:gYear ;
                                    kl:refIndustry ?k ; kl:unitCount ?u . ?s kl:locatedIn ?r }}""")
    totals: dict[tuple[str, str], int] = {}
    for row in rows:
        regency = ".".join(row["r"].removeprefix(BASE + "wilayah/").split(".")[:2])
        key = (regency, row["k"].rsplit("/", 1)[-1])
        totals[key] = totals.get(key, 0) + int(row["u"])
    return totals


def _location_quotients(units: dict[tuple[str, str], int]) -> dict[tuple[str, str], float]:
    """LQ of each (regency, KBLI) against the regency's province (BEA formula, units as measure)."""
    region_total: dict[str, int] = {}
    province_total: dict[str, int] = {}
    province_kbli: dict[tuple[str, str], int] = {}
    for (regency, kbli), n in units.items():
        region_total[regency] = region_total.get(regency, 0) + n
        province_total[regency[:2]] = province_total.get(regency[:2], 0) + n
        province_kbli[(regency[:2], kbli)] = province_kbli.get((regency[:2], kbli), 0) + n
    return {(r, k): (n / region_total[r]) / (province_kbli[(r[:2], k)] / province_total[r[:2]])
            for (r, k), n in units.items()}


def test_statistics_show_specialisation_and_growth_without_specialisation(sample):
    first, last = _units_by_regency(sample, 2020), _units_by_regency(sample, 2024)
    lq = _location_quotients(last)
    for regency in ("35.15", "35.76", "35.16"):  # Sidoarjo, Kota and Kabupaten Mojokerto
        assert lq[(regency, "15201")] > 1.5, regency
    assert lq[("35.20", "15112")] > 1.5  # Magetan tanneries
    for regency in ("35.23", "33.17", "33.14"):  # Tuban, Rembang, Sragen batik
        assert lq[(regency, "13134")] > 1.5, regency
    assert len({round(lq[(r, "15201")], 2) for r in ("35.15", "35.76", "35.16", "35.17")}) == 4
    herd = {key for key, value in lq.items()
            if value < 1 and last[key] >= 1.5 * first.get(key, last[key])}
    assert {("35.20", "10794"), ("35.21", "10794"), ("33.16", "13134"), ("33.12", "13134")} <= herd
    assert ("35.24", "10794") not in herd  # the specialised kerupuk regency grows slowly
