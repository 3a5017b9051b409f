"""Streamed gzip dumps: they decompress, parse and hold exactly the store's quads."""

from __future__ import annotations

import gzip

import pyoxigraph as ox
import pytest

from kg import dump
from kg.errors import NotFound
from kg.store import EmbeddedStore

BASE = "https://w3id.org/klaster/id/"


def _many(n: int) -> EmbeddedStore:
    store = EmbeddedStore()
    store.add(ox.Quad(ox.NamedNode(f"{BASE}s/{i}"), ox.NamedNode(BASE + "p"),
                      ox.Literal(f"värde {i}", language="id"), ox.NamedNode(f"{BASE}graph/g{i % 3}"))
              for i in range(n))
    store.add([ox.Quad(ox.NamedNode(BASE + "d"), ox.NamedNode(BASE + "p"), ox.Literal("default"),
                       ox.DefaultGraph())])
    return store


def test_dataset_dump_equals_the_store(client, memory_store):
    response = client.get("/dumps/klaster.nq.gz")
    assert response.status_code == 200 and response.mimetype == "application/gzip"
    assert "klaster.nq.gz" in response.headers["Content-Disposition"]
    quads = set(ox.parse(gzip.decompress(response.data), format=ox.RdfFormat.N_QUADS))
    assert quads == set(memory_store.quads(all_graphs=True))


def test_graph_dump_equals_the_graph(client, memory_store):
    graph = memory_store.graphs()[0]
    response = client.get("/dumps/graph.nt.gz", query_string={"graph": graph})
    assert response.status_code == 200 and response.mimetype == "application/gzip"
    triples = {q.triple for q in ox.parse(gzip.decompress(response.data), format=ox.RdfFormat.N_TRIPLES)}
    assert triples == {q.triple for q in memory_store.quads(graph)}


def test_unknown_or_missing_graph(client):
    from helpers import assert_problem

    assert_problem(client.get("/dumps/graph.nt.gz", query_string={"graph": BASE + "graph/none"}), 404)
    assert_problem(client.get("/dumps/graph.nt.gz"), 400)
    assert_problem(client.get("/dumps/graph.nt.gz", query_string={"graph": "not an iri"}), 400)


def test_dump_is_streamed_in_chunks_and_complete(monkeypatch):
    monkeypatch.setattr(dump, "BATCH", 1000)
    monkeypatch.setattr(dump, "CHUNK", 4096)
    store = _many(30_000)
    chunks = list(dump.gzip_dump(store))
    assert len(chunks) > 3  # compressed output leaves as it is made, not at the end
    quads = set(ox.parse(gzip.decompress(b"".join(chunks)), format=ox.RdfFormat.N_QUADS))
    assert quads == set(store.quads(all_graphs=True)) and len(quads) == 30_001
    one = {q.triple for q in ox.parse(gzip.decompress(b"".join(dump.gzip_dump(store, BASE + "graph/g1"))),
                                      format=ox.RdfFormat.N_TRIPLES)}
    assert one == {q.triple for q in store.quads(BASE + "graph/g1")} and len(one) == 10_000


def test_generator_reads_lazily():
    store = _many(10)
    stream = dump.gzip_dump(store)
    assert hasattr(stream, "__next__")  # nothing read until the response body is iterated
    with pytest.raises(NotFound):
        dump.gzip_dump(store, BASE + "graph/missing")
