"""The synthetic dataset generator: deterministic, valid N-Quads, real regions, marked synthetic,
and every canned question answers on a small synthetic store."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cli import main as klaster_main
from kg.namespaces import KL, RDF, graph_iri
from kg.questions import load_questions, run_question
from kg.derive import recompute
from kg.reference import read_regions
from kg.settings import Settings
from kg.store import EmbeddedStore
from kg.synth import SynthConfig, generate

BASE = "https://w3id.org/klaster/id/"
GRAPH = graph_iri(BASE, "synthetic")
SMALL = SynthConfig(sentra=400, enterprises=2_000, seed=42)


@pytest.fixture(scope="module")
def regions():
    return read_regions()


@pytest.fixture(scope="module")
def small(tmp_path_factory, regions) -> tuple[Path, object]:
    path = tmp_path_factory.mktemp("synth") / "small.nq.gz"
    return path, generate(path, SMALL, regions=regions)


@pytest.fixture(scope="module")
def quads(small) -> list[ox.Quad]:
    path, _ = small
    with gzip.open(path, "rb") as handle:
        return list(ox.parse(handle, format=ox.RdfFormat.N_QUADS))


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path, small, regions) -> None:
    path, _ = small
    again = tmp_path / "again.nq.gz"
    generate(again, SMALL, regions=regions)
    assert again.read_bytes() == path.read_bytes()
    other = tmp_path / "other.nq.gz"
    generate(other, SynthConfig(sentra=400, enterprises=2_000, seed=7), regions=regions)
    assert gzip.decompress(other.read_bytes()) != gzip.decompress(path.read_bytes())


def test_parses_into_the_synthetic_graph_with_the_stated_size(small, quads) -> None:
    _, summary = small
    assert len(quads) == summary.triples
    assert {q.graph_name.value for q in quads} == {GRAPH}
    types = {}
    for q in quads:
        if q.predicate.value == RDF + "type":
            types[q.object.value] = types.get(q.object.value, 0) + 1
    assert types[KL + "Sentra"] == 400
    assert types[KL + "Enterprise"] == 2_000
    assert types["http://purl.org/linked-data/cube#Observation"] == summary.observations > 400 * 4
    assert types[KL + "Intervention"] == summary.interventions == 100
    assert types[KL + "Linkage"] == summary.linkages > 0
    stated = [q for q in quads if q.predicate.value == "http://rdfs.org/ns/void#triples"]
    assert [int(q.object.value) for q in stated] == [summary.triples]


def test_every_region_is_real_and_every_resource_illustrative(quads, regions) -> None:
    codes = {r.code for r in regions}
    villages = {r.code for r in regions if r.level in ("desa", "kelurahan", "desa_adat")}
    prefix = BASE + "wilayah/"
    mentioned = {t.value[len(prefix):] for q in quads for t in (q.subject, q.object)
                 if isinstance(t, ox.NamedNode) and t.value.startswith(prefix)}
    assert mentioned and mentioned <= codes
    located = {q.object.value[len(prefix):] for q in quads if q.predicate.value == KL + "locatedIn"}
    assert located <= villages
    assert len({code.rsplit(".", 2)[0] for code in located}) > 100  # spread over many kabupaten/kota
    minted = {q.subject for q in quads}
    flagged = {q.subject for q in quads if q.predicate.value == KL + "isIllustrative"
               and q.object == ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))}
    assert minted == flagged
    description = [q.object.value for q in quads if q.predicate.value == "http://purl.org/dc/terms/description"]
    assert any(text.startswith("SYNTHETIC") for text in description)


def test_cli_writes_the_file_and_prints_its_size(tmp_path: Path, capsys) -> None:
    out = tmp_path / "cli.nq.gz"
    assert klaster_main(["synth", "--out", str(out), "--sentra", "30", "--enterprises", "100",
                         "--seed", "3"]) == 0
    printed = capsys.readouterr().out
    assert out.stat().st_size > 0 and "triples" in printed and "30 sentra" in printed
    assert klaster_main(["synth", "--out", str(tmp_path / "x.ttl"), "--sentra", "3"]) == 2
    assert "nq.gz" in capsys.readouterr().err


@pytest.fixture(scope="module")
def synthetic_store(small, seeded_store: Path, tmp_path_factory) -> EmbeddedStore:
    """The seeded store without the sample data, plus the small synthetic dataset, with the
    inferences and aggregates recomputed as ``klaster load`` does."""
    path, _ = small
    copy = tmp_path_factory.mktemp("synthstore") / "store"
    source = EmbeddedStore(seeded_store, read_only=True)
    source.backup(copy)
    source.close()
    store = EmbeddedStore(copy)
    store.drop_graph(graph_iri(BASE, "sample"))
    store.load(path, format=ox.RdfFormat.N_QUADS)
    recompute(store, Settings(store=str(copy)))
    yield store
    store.close()


def _first(store: EmbeddedStore, sparql: str) -> str:
    row = next(iter(store.query("PREFIX kl: <https://w3id.org/klaster/ontology#>\n" + sparql)), None)
    assert row is not None, sparql
    return row[0].value


def test_every_canned_question_answers_on_synthetic_data(synthetic_store: EmbeddedStore) -> None:
    store = synthetic_store
    sentra = _first(store, "SELECT ?s WHERE { ?s a kl:Sentra ; kl:produces ?p ; kl:needsInput ?i . "
                    "?o a kl:Sentra ; kl:produces ?i . ?l kl:linkageSource ?s } ORDER BY ?s LIMIT 1")
    kawasan = _first(store, "SELECT ?k WHERE { ?k kl:hasMemberRegion ?r . ?s a kl:Sentra ; kl:within ?r } "
                     "ORDER BY ?k LIMIT 1")
    reached = _first(store, "SELECT ?s WHERE { ?i kl:reachedSentra ?s } ORDER BY ?s LIMIT 1")
    code = _first(store, "SELECT ?c WHERE { ?s a kl:Sentra ; kl:industryCode/<http://www.w3.org/2004/02/skos/core#notation> ?c } "
                  "GROUP BY ?c ORDER BY DESC(COUNT(?s)) LIMIT 1")
    province = _first(store, f"SELECT ?p WHERE {{ <{sentra}> kl:within ?p . ?p a kl:Province }}")
    word = _first(store, f"SELECT ?l WHERE {{ <{sentra}> kl:locatedIn/<http://www.w3.org/2000/01/rdf-schema#label> ?l }}")
    params = {
        "technology-partners": {"sentra": sentra}, "skill-partners": {"sentra": sentra},
        "financing-partners": {"sentra": sentra}, "supply-partners": {"sentra": sentra},
        "linkages": {"sentra": sentra}, "corridor": {"kawasan": kawasan},
        "specialisation": {"commodity": code}, "oversupply-risk": {},
        "sentra-in-region": {"region": province}, "interventions": {"sentra": reached},
        "search": {"q": word.split()[0]}, "unreached-specialised": {},
    }
    questions = load_questions(base_iri=BASE)
    assert set(params) == set(questions), "a canned question was added: give it parameters here"
    for name, question in questions.items():
        table = run_question(store, question, params[name], base_iri=BASE)
        assert table.rows, f"{name} answered nothing on the synthetic store"
        if name not in ("specialisation", "oversupply-risk"):
            assert "sintetis" in str(table.rows), f"{name} did not answer from the synthetic data"
