"""The label index for search (kg/search_index.py): keys of labels, of a store, and of a delta."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg import search_index as si
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
    # the stored region gets the keys of its new label (and its stored ones, which the caller drops)
    assert {"regency", "sidoarjo", "kabupaten"} <= _keys_of(keys, region.value)
    assert si.delta(store, store.graphs(), []) == set()


def test_delta_keys_a_stored_label_when_the_type_arrives() -> None:
    graph = ox.NamedNode(f"{BASE}graph/sample")
    store = EmbeddedStore()
    thing = ox.NamedNode(f"{BASE}teknologi/tungku")
    store.add([ox.Quad(thing, RDFS_LABEL, ox.Literal("Tungku hemat energi", language="id"), graph)])
    keys = si.delta(store, store.graphs(),
                    [ox.Triple(thing, TYPE, ox.NamedNode("https://w3id.org/klaster/ontology#Technology"))])
    assert {"tu", "tungku", "hemat", "energi"} <= _keys_of(keys, thing.value)
