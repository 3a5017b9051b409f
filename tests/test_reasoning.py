"""kg.reason: what the rules infer, the scope of containment, and how a change is written."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import reason
from kg.namespaces import GRAPH_INFERRED, GRAPH_ONTOLOGY, graph_iri
from kg.reason import infer_delta, materialise
from kg.settings import Settings
from kg.store import EmbeddedStore, uncompressed_size

BASE = "https://w3id.org/klaster/id/"
KL = "https://w3id.org/klaster/ontology#"
GEO = "http://www.opengis.net/ont/geosparql#"
ORG = "http://www.w3.org/ns/org#"
ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology" / "klaster.ttl"
INFERRED = graph_iri(BASE, GRAPH_INFERRED)
DATA = graph_iri(BASE, "sample")

# a province P ⊃ kabupaten K ⊃ kecamatan D ⊃ desa V; a sentra and an enterprise in V; a product
# linkage from the sentra to another sentra in K's other kecamatan
DATA_TTL = f"""
@prefix kl: <{KL}> .
@prefix w: <{BASE}wilayah/> .
@prefix s: <{BASE}sentra/> .
w:P a kl:Province .
w:K a kl:RegencyOrCity ; kl:parentRegion w:P .
w:D a kl:District ; kl:parentRegion w:K .
w:D2 a kl:District ; kl:parentRegion w:K .
w:V a kl:Village ; kl:parentRegion w:D .
s:a a kl:Sentra ; kl:locatedIn w:V .
s:b a kl:Sentra ; kl:locatedIn w:D2 .
<{BASE}usaha/e> a kl:Enterprise ; kl:locatedIn w:V .
<{BASE}linkage/1> a kl:Linkage ; kl:linkageSource s:a ; kl:linkageTarget s:b ;
    kl:linkageKind kl:ProductLinkage .
"""


def _store(data: str = DATA_TTL) -> EmbeddedStore:
    store = EmbeddedStore()
    store.load(ONTOLOGY, format=ox.RdfFormat.TURTLE, graph=graph_iri(BASE, GRAPH_ONTOLOGY))
    store.load(data.encode(), format=ox.RdfFormat.TURTLE, graph=DATA)
    return store


def _settings(tmp_path: Path) -> Settings:
    return Settings(store=str(tmp_path / "unused"))


def _inferred(store: EmbeddedStore, graph: str = INFERRED) -> set[tuple[str, str, str]]:
    return {(q.subject.value, q.predicate.value, q.object.value) for q in store.quads(graph)}


def w(name: str) -> str:
    return f"{BASE}wilayah/{name}"


def test_containment_closure_for_sentra_and_regions(tmp_path: Path) -> None:
    store = _store()
    summary = materialise(store, _settings(tmp_path))
    got = _inferred(store)
    sentra = BASE + "sentra/a"
    for region in ("V", "D", "K", "P"):
        assert (sentra, KL + "within", w(region)) in got
        assert (sentra, GEO + "sfWithin", w(region)) in got
    assert (w("V"), KL + "within", w("P")) in got
    assert (w("P"), KL + "hasSubRegion", w("K")) in got  # inverse of kl:parentRegion
    assert (sentra, KL + "suppliesTo", BASE + "sentra/b") in got  # the linkage shortcut
    assert (BASE + "sentra/b", KL + "suppliedBy", sentra) in got
    assert (BASE + "sentra/b", KL + "linkedWith", sentra) in got  # symmetric
    assert (w("V"), "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", KL + "Region") in got
    # nothing asserted is repeated in the inferred graph
    asserted = _inferred(store, DATA)
    assert not got & asserted
    assert summary.inferred_triples == len(got) and summary.added == len(got)


def test_enterprises_get_types_but_no_containment(tmp_path: Path) -> None:
    store = _store()
    materialise(store, _settings(tmp_path))
    enterprise = BASE + "usaha/e"
    about = {(p, o) for s, p, o in _inferred(store) if s == enterprise}
    assert not any(p in (KL + "within", GEO + "sfWithin") for p, _ in about), about
    assert ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ORG + "Organization") in about
    # the documented way to place an enterprise in a region still answers
    query = (f"ASK {{ <{enterprise}> <{KL}locatedIn> ?place . ?place <{KL}within>* <{w('P')}> }}")
    assert store.query(query).__bool__()


def test_rerun_changes_nothing_and_repairs_a_stale_graph(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    store = _store()
    settings = _settings(tmp_path)
    materialise(store, settings)
    expected = _inferred(store)
    again = materialise(store, settings)
    assert (again.added, again.removed) == (0, 0)
    # a large change goes in bounded transactions: additions first, then removals
    monkeypatch.setattr(reason, "ATOMIC_LIMIT", 3)
    monkeypatch.setattr(reason, "CHUNK", 4)
    stale = ox.Quad(ox.NamedNode(BASE + "sentra/a"), ox.NamedNode(KL + "within"),
                    ox.NamedNode(w("nowhere")), ox.NamedNode(INFERRED))
    store.add([stale])
    store.update(f"DELETE WHERE {{ GRAPH <{INFERRED}> {{ ?s <{GEO}sfWithin> ?o }} }}")
    dropped = len(expected) - len(_inferred(store)) + 1
    summary = materialise(store, settings)
    assert (summary.added, summary.removed) == (dropped, 1)
    assert _inferred(store) == expected


def test_a_crash_half_way_never_leaves_fewer_inferences(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The large-change path adds before it removes: stopped after its first transaction, the
    graph still holds every old inference that remains true."""
    store = _store()
    settings = _settings(tmp_path)
    materialise(store, settings)
    expected = _inferred(store)
    store.update(f"DELETE WHERE {{ GRAPH <{INFERRED}> {{ ?s <{GEO}sfWithin> ?o }} }}")
    before = _inferred(store)
    monkeypatch.setattr(reason, "ATOMIC_LIMIT", 3)
    monkeypatch.setattr(reason, "CHUNK", 4)
    calls = []
    real_load = store.load

    def stop_after_first(*args, **kwargs):  # the process "dies" after one transaction
        if calls:
            raise KeyboardInterrupt
        calls.append(1)
        real_load(*args, **kwargs)

    monkeypatch.setattr(store, "load", stop_after_first)
    with pytest.raises(KeyboardInterrupt):
        materialise(store, settings)
    half = _inferred(store)
    assert before < half < expected  # old ones kept, part of the new ones there
    monkeypatch.setattr(store, "load", real_load)
    materialise(store, settings)
    assert _inferred(store) == expected


def test_infer_delta_adds_what_materialise_would(tmp_path: Path) -> None:
    store = _store()
    settings = _settings(tmp_path)
    materialise(store, settings)
    extra = f"""@prefix kl: <{KL}> .
    <{BASE}sentra/c> a kl:Sentra ; kl:locatedIn <{w('V')}> .
    <{BASE}usaha/f> a kl:Enterprise ; kl:locatedIn <{w('D2')}> .
    """
    triples = list(ox.parse(extra.encode(), format=ox.RdfFormat.TURTLE))
    delta = {(t.subject.value, t.predicate.value, t.object.value)
             for t in infer_delta(store, settings, triples)}
    fresh = _store(DATA_TTL + extra)
    materialise(fresh, settings)
    assert delta == _inferred(fresh) - _inferred(store)
    assert not any(s == BASE + "usaha/f" and p == KL + "within" for s, p, _ in delta)


def test_bulk_threshold_compares_the_uncompressed_size(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    lines = "".join(f"<{BASE}x/{i}> <{KL}p> \"{i}\" .\n" for i in range(5000))
    path = tmp_path / "many.nt.gz"
    path.write_bytes(gzip.compress(lines.encode()))
    assert uncompressed_size(path) == len(lines.encode()) > 4 * path.stat().st_size
    plain = tmp_path / "many.nt"
    plain.write_text(lines)
    assert uncompressed_size(plain) == plain.stat().st_size
    # a file whose text is over the threshold is bulk-loaded, and arrives whole
    import kg.store

    monkeypatch.setattr(kg.store, "BULK_THRESHOLD", path.stat().st_size + 1)
    store = EmbeddedStore(tmp_path / "store")
    try:
        store.load(path, format=ox.RdfFormat.N_TRIPLES, graph=DATA)
        assert store.count(DATA) == 5000
    finally:
        store.close()


class _Plain:
    """The embedded store seen only through the Store interface, as a remote store is: the
    reasoner then compares through queries instead of index lookups."""

    def __init__(self, inner: EmbeddedStore) -> None:
        self._inner = inner

    def __getattr__(self, name: str):
        if name in ("raw", "inner"):
            raise AttributeError(name)
        return getattr(self._inner, name)


def test_the_generic_path_gives_the_same_graph(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    store = _store()
    settings = _settings(tmp_path)
    materialise(store, settings)
    expected = _inferred(store)
    store.update(f"DELETE WHERE {{ GRAPH <{INFERRED}> {{ ?s <{GEO}sfWithin> ?o }} }}")
    store.add([ox.Quad(ox.NamedNode(BASE + "sentra/a"), ox.NamedNode(KL + "within"),
                       ox.NamedNode(w("nowhere")), ox.NamedNode(INFERRED))])
    monkeypatch.setattr(reason, "ATOMIC_LIMIT", 3)
    summary = materialise(_Plain(store), settings)  # type: ignore[arg-type]
    assert summary.removed == 1 and summary.added > 3
    assert _inferred(store) == expected
