"""The label index for search (kg/search_index.py): keys of labels, of a store, and of a delta."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import search_index as si
from kg.errors import BadRequest
from kg.questions import QuestionDefinitionError, load_questions, parse_question, run_question
from kg.reason import materialise
from kg.resources import data_file
from kg.settings import load_settings
from kg.store import EmbeddedStore

BASE = "https://w3id.org/klaster/id/"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "questions.ttl"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
KEY = ox.NamedNode(si.SEARCH_KEY)


def _keys_of(triples: set[ox.Triple], resource: str) -> set[str]:
    return {t.object.value for t in triples if t.subject.value == resource}


def test_words_are_lower_cased_runs_of_letters_and_digits() -> None:
    assert si.words("Kampung Sepatu (Kota Mojokerto) 2-B_x") == [
        "kampung", "sepatu", "kota", "mojokerto", "2", "b", "x"]
    assert si.words("Désa Ciamis") == ["désa", "ciamis"]


def test_keys_are_the_word_prefixes_between_the_bounds() -> None:
    assert si.keys("Wedoro") == {"we", "wed", "wedo", "wedor", "wedoro"}
    assert si.keys("a Sidoarjo") == {"si", "sid", "sido", "sidoa", "sidoar", "sidoarj", "sidoarjo"}
    long = "x" * 30
    assert max(len(k) for k in si.keys(long)) == si.MAX_KEY


def test_query_key_is_the_first_word_cut_to_the_longest_key() -> None:
    assert si.query_key("  JOMBANG timur") == "jombang"
    assert si.query_key("Kampung-Sepatu") == "kampung"
    assert si.query_key("y" * 40) == "y" * si.MAX_KEY
    assert si.query_key("a b") is None and si.query_key("!!") is None
    assert si.query_key("a batik") == "batik"  # the first word long enough to be a key
    # whatever a search looks up is a key of a label that starts with the text
    for text in ("Kabupaten Sidoarjo", "kab", "Sentra sandal jepit Wairo"):
        assert si.query_key(text) in si.keys(text)


def test_index_of_the_fixture_covers_searchable_kinds_only() -> None:
    store = EmbeddedStore()
    store.load(FIXTURE.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    index = si.index(store)
    assert {"we", "wedoro"} <= _keys_of(index, f"{BASE}sentra/wedoro")
    assert {"jombang", "kab", "kabupaten"} <= _keys_of(index, f"{BASE}wilayah/35.17")
    assert all(t.predicate == KEY and isinstance(t.object, ox.Literal) for t in index)
    typed = {row["r"].value for row in store.query(
        "SELECT ?r WHERE { ?r a ?c VALUES ?c { " + " ".join(f"<{c}>" for c in si.SEARCHABLE) + " } }")}
    subjects = {t.subject.value for t in index}
    assert subjects and subjects <= typed  # never an intervention, observation or enterprise
    assert si.index(store, []) == set()


def test_delta_keys_new_sentra_and_new_labels_of_stored_resources() -> None:
    graph = ox.NamedNode(f"{BASE}graph/reference")
    store = EmbeddedStore()
    region = ox.NamedNode(f"{BASE}wilayah/35.15")
    store.add([ox.Quad(region, TYPE, ox.NamedNode("https://w3id.org/klaster/ontology#Regency"), graph),
               ox.Quad(region, RDFS_LABEL, ox.Literal("Kabupaten Sidoarjo", language="id"), graph)])
    sentra = ox.NamedNode(f"{BASE}sentra/baru")
    enterprise = ox.NamedNode(f"{BASE}usaha/baru")
    submission = [
        ox.Triple(sentra, TYPE, ox.NamedNode("https://w3id.org/klaster/ontology#Sentra")),
        ox.Triple(sentra, RDFS_LABEL, ox.Literal("Sentra Gerabah Baru", language="id")),
        ox.Triple(enterprise, TYPE, ox.NamedNode("https://w3id.org/klaster/ontology#Enterprise")),
        ox.Triple(enterprise, RDFS_LABEL, ox.Literal("Usaha Gerabah", language="id")),
        ox.Triple(region, RDFS_LABEL, ox.Literal("Sidoarjo Regency", language="en")),
    ]
    keys = si.delta(store, store.graphs(), submission)
    assert {"ge", "gerabah", "baru", "sentra"} <= _keys_of(keys, sentra.value)
    assert not _keys_of(keys, enterprise.value)  # enterprises are not searchable
    # the stored region gets the keys of its new label; its stored label's keys are stored already
    assert {"regency", "sidoarjo"} <= _keys_of(keys, region.value)
    assert "kabupaten" not in _keys_of(keys, region.value)
    assert si.delta(store, store.graphs(), []) == set()


def test_delta_keys_a_stored_label_when_the_type_arrives() -> None:
    graph = ox.NamedNode(f"{BASE}graph/sample")
    store = EmbeddedStore()
    thing = ox.NamedNode(f"{BASE}teknologi/tungku")
    store.add([ox.Quad(thing, RDFS_LABEL, ox.Literal("Tungku hemat energi", language="id"), graph)])
    keys = si.delta(store, store.graphs(),
                    [ox.Triple(thing, TYPE, ox.NamedNode("https://w3id.org/klaster/ontology#Technology"))])
    assert {"tu", "tungku", "hemat", "energi"} <= _keys_of(keys, thing.value)


def test_write_index_streams_the_same_keys_as_index(tmp_path: Path) -> None:
    store = EmbeddedStore()
    store.load(FIXTURE.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    with open(tmp_path / "keys.nt", "wb") as handle:
        written = si.write_index(store, None, handle, batch=7)
    streamed = {q.triple for q in ox.parse(path=str(tmp_path / "keys.nt"), format=ox.RdfFormat.N_TRIPLES)}
    assert streamed == si.index(store) and written >= len(streamed) > 0


def test_materialise_keeps_the_keys_with_the_labels() -> None:
    """The keys are computed with the inferences; a changed label changes them on the next run."""
    settings = load_settings({})
    store = EmbeddedStore()
    store.load(data_file("ontology", "klaster.ttl"), format=ox.RdfFormat.TURTLE,
               graph=f"{BASE}graph/ontology")
    reference = f"{BASE}graph/reference"
    region = ox.NamedNode(f"{BASE}wilayah/35.15")
    label = ox.Quad(region, RDFS_LABEL, ox.Literal("Kabupaten Sidoarjo", language="id"),
                    ox.NamedNode(reference))
    store.add([ox.Quad(region, TYPE, ox.NamedNode("https://w3id.org/klaster/ontology#Regency"),
                       ox.NamedNode(reference)), label])
    materialise(store, settings)
    inferred = [f"{BASE}graph/inferred"]

    def stored_keys() -> set[str]:
        return {row["k"].value for row in store.query(
            f"SELECT ?k WHERE {{ <{region.value}> <{si.SEARCH_KEY}> ?k }}", default_graphs=inferred)}

    assert stored_keys() == si.keys("Kabupaten Sidoarjo")
    store.update(f"DELETE DATA {{ GRAPH <{reference}> {{ {label.subject} {label.predicate} {label.object} }} }} ;"
                 f"INSERT DATA {{ GRAPH <{reference}> {{ {label.subject} {label.predicate} \"Kab. Sidoarjo\" }} }}")
    summary = materialise(store, settings)
    assert stored_keys() == si.keys("Kab. Sidoarjo") and summary.removed >= 1


SEARCH = load_questions(base_iri=BASE)["search"]


def test_search_binds_the_key_of_its_text_as_a_hidden_value() -> None:
    store = EmbeddedStore()
    store.load(FIXTURE.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    store.add(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(f"{BASE}graph/inferred"))
              for t in si.index(store))
    table = run_question(store, SEARCH, {"q": "  Sepatu kota"}, base_iri=BASE)
    assert table.bindings["key"] == '"sepatu"' and "key" not in table.columns
    assert table.rows and all("sepatu kota" in str(r[1]).lower() for r in table.rows)
    # a label word must START with the text's first word: "edoro" is inside "Wedoro" only
    assert run_question(store, SEARCH, {"q": "edoro"}, base_iri=BASE).rows == ()
    assert run_question(store, SEARCH, {"q": "wedoro"}, base_iri=BASE).rows
    with pytest.raises(BadRequest) as refused:  # no word of 2 letters: a 400 naming q
        run_question(store, SEARCH, {"q": "a-b"}, base_iri=BASE)
    assert "'q'" in refused.value.detail


@pytest.mark.parametrize("derive, problem", [
    ("{key: no_such_function}", "derive must map"),
    ("{q: search_key}", "named twice or like a parameter"),
    ("{unused: search_key}", "never uses it"),
])
def test_loader_checks_derived_values(tmp_path: Path, derive: str, problem: str) -> None:
    text = SEARCH.source and (Path(data_file("queries", "search.rq")).read_text(encoding="utf-8"))
    bad = tmp_path / "search.rq"
    bad.write_text(text.replace("derive: {key: search_key}", f"derive: {derive}"), encoding="utf-8")
    with pytest.raises(QuestionDefinitionError, match=problem):
        parse_question(bad, base_iri=BASE)
