"""GET /.well-known/void: VoID and DCAT 3 with live counts equal to the store's."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from kg.namespaces import graph_iri
from kg.void import Endpoints, dataset_iri, void_triples

VOID = Namespace("http://rdfs.org/ns/void#")
BASE = "https://w3id.org/klaster/id/"


@pytest.fixture
def void_graph(client) -> Graph:
    response = client.get("/.well-known/void")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    return Graph().parse(data=response.data, format="turtle")


def _triples(graph: Graph, subject: str) -> int:
    return int(graph.value(URIRef(subject), VOID.triples))


def test_counts_equal_the_store(client, memory_store, void_graph):
    whole = dataset_iri(BASE)
    assert _triples(void_graph, whole) == memory_store.count(all_graphs=True)
    subsets = set(void_graph.objects(URIRef(whole), VOID.subset))
    assert {str(s) for s in subsets} == set(memory_store.graphs())
    for graph in memory_store.graphs():
        assert _triples(void_graph, graph) == memory_store.count(graph)


def test_counts_are_live(client, memory_store):
    extra = graph_iri(BASE, "submission/test-1")
    memory_store.add([ox.Quad(ox.NamedNode(BASE + "x"), ox.NamedNode(BASE + "p"), ox.Literal(str(i)),
                              ox.NamedNode(extra)) for i in range(7)])
    graph = Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    assert _triples(graph, extra) == 7
    assert graph.value(URIRef(extra), DCTERMS.title, any=True) is not None
    assert _triples(graph, dataset_iri(BASE)) == memory_store.count(all_graphs=True)


def test_dataset_metadata(void_graph):
    whole = URIRef(dataset_iri(BASE))
    assert (whole, RDF.type, DCAT.Dataset) in void_graph and (whole, RDF.type, VOID.Dataset) in void_graph
    assert void_graph.value(whole, DCTERMS.license) is not None
    assert void_graph.value(whole, VOID.uriSpace) == Literal(BASE)
    assert URIRef("https://w3id.org/klaster/ontology#") in set(void_graph.objects(whole, VOID.vocabulary))
    endpoint = void_graph.value(whole, VOID.sparqlEndpoint)
    assert str(endpoint) == "http://localhost/sparql"
    assert (endpoint, RDF.type, DCAT.DataService) in void_graph
    assert void_graph.value(endpoint, DCAT.endpointURL) == endpoint
    assert (endpoint, DCAT.servesDataset, whole) in void_graph
    dumps = {str(d) for d in void_graph.objects(whole, VOID.dataDump)}
    assert dumps == {"http://localhost/dumps/klaster.nq.gz"}
    services = {void_graph.value(d, DCAT.accessService) for d in void_graph.objects(whole, DCAT.distribution)}
    assert endpoint in services
    sample = URIRef(graph_iri(BASE, "sample"))
    dist = void_graph.value(sample, DCAT.distribution)
    assert str(void_graph.value(dist, DCAT.downloadURL)).startswith("http://localhost/dumps/graph.nt.gz?graph=")
    assert (dist, RDF.type, DCAT.Distribution) in void_graph


def test_dump_links_in_void_work(client, void_graph):
    for url in void_graph.objects(None, VOID.dataDump):
        response = client.get(str(url).replace("http://localhost", ""))
        assert response.status_code == 200 and response.mimetype == "application/gzip"


def test_other_rdf_formats_by_accept(client):
    response = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    assert response.mimetype == "application/n-triples"
    assert list(ox.parse(response.data, format=ox.RdfFormat.N_TRIPLES))
    response = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert response.mimetype == "application/ld+json"
    Graph().parse(data=response.data, format="json-ld")


def test_seeded_parts_are_described(seeded_store):
    from kg.store import EmbeddedStore

    store = EmbeddedStore(seeded_store, read_only=True)
    try:
        triples = void_triples(store, BASE, Endpoints.under("https://example.org"))
    finally:
        store.close()
    counts = {t.subject.value: int(t.object.value) for t in triples
              if t.predicate.value == str(VOID.triples)}
    for name in ("ontology", "reference", "sample", "inferred"):
        assert counts[graph_iri(BASE, name)] > 0
    parts = {t.object.value for t in triples if t.predicate.value == str(DCTERMS.hasPart)}
    assert BASE + "dataset/wilayah" in parts and BASE + "dataset/sampel" in parts
