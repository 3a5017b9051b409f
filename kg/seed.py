"""Create and seed a store: ontology, reference data, sample data, inferences.

Seeding replaces each seeded graph wholesale, so running it again never duplicates data. Each
seeded graph states a digest of the sources it was built from (``kl:contentDigest`` on the graph's
own IRI); a graph whose sources have not changed is left alone, so re-initialising is cheap.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg import __version__
from kg.namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE, GRAPH_SAMPLE, KL, graph_iri
from kg.derive import recompute
from kg.resources import data_file, package_data
from kg.settings import Settings
from kg.store import EmbeddedStore, Store, open_store

Say = Callable[[str], None]


@dataclass(frozen=True)
class SeedSummary:
    graphs: dict[str, int]
    inferred: int
    seconds: float


def _quiet(_: str) -> None:
    pass


def is_seeded(store: Store, settings: Settings) -> bool:
    """True when the store already holds the ontology and the reference data."""
    graphs = set(store.graphs())
    return {graph_iri(settings.base_iri, GRAPH_ONTOLOGY),
            graph_iri(settings.base_iri, GRAPH_REFERENCE)} <= graphs


def _digest(base_iri: str, files: Iterable[Path]) -> str:
    digest = hashlib.sha256(f"{__version__}\n{base_iri}\n".encode())
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _stored_digest(store: Store, graph: str) -> str | None:
    result = store.query(f"SELECT ?g ?d WHERE {{ ?g <{KL}contentDigest> ?d }}",
                         bindings={"g": ox.NamedNode(graph)}, default_graphs=[graph])
    row = next(iter(result), None)
    return None if row is None else row["d"].value


def _replace(store: Store, graph: str, digest: str, triples: Iterable[ox.Triple]) -> bool:
    """Make ``graph`` hold ``triples`` unless it already holds what ``digest`` describes."""
    if _stored_digest(store, graph) == digest:
        return False
    target = ox.NamedNode(graph)
    store.drop_graph(graph)
    store.add(ox.Quad(t.subject, t.predicate, t.object, target) for t in triples)
    store.add([ox.Quad(target, ox.NamedNode(KL + "contentDigest"), ox.Literal(digest), target)])
    return True


def _parse(paths: list[Path], base_iri: str | None) -> Iterable[ox.Triple]:
    for path in paths:
        yield from ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base_iri)


def seed(store: Store, settings: Settings, *, sample: bool = True, say: Say = _quiet) -> SeedSummary:
    """(Re)load the ontology, reference and (optionally) sample graphs, then reason."""
    from kg import reference  # deferred: building it makes ~730k triples

    started = time.perf_counter()
    base = settings.base_iri
    counts: dict[str, int] = {}

    ontology = [data_file("ontology", "klaster.ttl")]
    graph = graph_iri(base, GRAPH_ONTOLOGY)
    if _replace(store, graph, _digest(base, ontology), _parse(ontology, None)):
        say("loaded the ontology")
    counts[GRAPH_ONTOLOGY] = store.count(graph)

    sources = sorted(package_data("reference").glob("*.csv")) + [Path(reference.__file__)]
    graph = graph_iri(base, GRAPH_REFERENCE)
    if _replace(store, graph, _digest(base, sources), reference.reference_triples(base)):
        say("built the reference data (91,599 regions, KBLI, cooperation areas)")
    counts[GRAPH_REFERENCE] = store.count(graph)

    graph = graph_iri(base, GRAPH_SAMPLE)
    if sample:
        files = sorted(package_data("sample").glob("*.ttl"))
        if _replace(store, graph, _digest(base, files), _parse(files, base)):
            say("loaded the sample data (Jawa Timur and Jawa Tengah)")
        counts[GRAPH_SAMPLE] = store.count(graph)
    else:
        store.drop_graph(graph)

    summary = recompute(store, settings, say=say)
    return SeedSummary(counts, summary.reasoning.inferred_triples, time.perf_counter() - started)


def ensure_store(settings: Settings, *, sample: bool = True, say: Say = _quiet) -> Store:
    """Open the configured store, creating and seeding it when it is new."""
    store = open_store(settings.store, settings=settings)
    if not is_seeded(store, settings):
        seed(store, settings, sample=sample, say=say)
        if isinstance(store, EmbeddedStore) and store.path is not None:
            # closed and opened again: closing deletes the seeding's write-ahead logs (1.5 GB on
            # the bundled data, see EmbeddedStore.close), which a long-running serve would keep
            store.close()
            store = open_store(settings.store, settings=settings)
    return store
