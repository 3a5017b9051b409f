"""Shared by the validation tests: the store the submission corpus is checked against."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import graph_iri
from kg.resources import data_file
from kg.store import EmbeddedStore

BASE = "https://w3id.org/klaster/id/"
CORPUS = Path(__file__).resolve().parent / "submissions"
SAMPLE_GRAPH = graph_iri(BASE, "sample")


def corpus_store() -> EmbeddedStore:
    """An in-memory store: the ontology, a few regions and KBLI classes, two stored sentra."""
    store = EmbeddedStore()
    store.load(data_file("ontology", "klaster.ttl"), format=ox.RdfFormat.TURTLE,
               graph=graph_iri(BASE, "ontology"))
    store.load(CORPUS / "context.ttl", format=ox.RdfFormat.TURTLE, graph=graph_iri(BASE, "reference"),
               base_iri=BASE)
    store.load(CORPUS / "stored.ttl", format=ox.RdfFormat.TURTLE, graph=SAMPLE_GRAPH, base_iri=BASE)
    return store
