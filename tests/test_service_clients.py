"""Real clients against the served endpoint: SPARQLWrapper, rdflib stores, Oxigraph federation."""

from __future__ import annotations

import csv
import io
import shutil
import urllib.request

import pytest
import requests
from helpers import ADMIN_TOKEN, free_port, running_process, served
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, JSON, XML, SPARQLWrapper

KL = "https://w3id.org/klaster/ontology#"
WEDORO = "https://w3id.org/klaster/id/sentra/wedoro"
SENTRA_QUERY = f"SELECT ?s ?label WHERE {{ ?s a <{KL}Sentra> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    from conftest import fill
    from kg.settings import Settings
    from kg.store import EmbeddedStore
    from service import create_app

    folder = tmp_path_factory.mktemp("clients")
    store = fill(EmbeddedStore(folder / "store"))
    app = create_app(Settings(store=str(folder / "store"), admin_token=ADMIN_TOKEN, query_timeout=20),
                     store=store)
    with served(app) as url:
        yield url
    app.extensions["klaster"].close()
    store.close()


def test_sparqlwrapper_json(base):
    client = SPARQLWrapper(f"{base}/sparql")
    client.setQuery(SENTRA_QUERY)
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]
    assert {b["s"]["value"] for b in bindings} == {WEDORO, "https://w3id.org/klaster/id/sentra/mojokerto"}


def test_sparqlwrapper_xml(base):
    client = SPARQLWrapper(f"{base}/sparql")
    client.setQuery(f"ASK {{ <{WEDORO}> a <{KL}Sentra> }}")
    client.setReturnFormat(XML)
    document = client.query().convert()
    assert document.getElementsByTagName("boolean")[0].firstChild.data == "true"


def test_sparqlwrapper_csv_by_post(base):
    client = SPARQLWrapper(f"{base}/sparql")
    client.setMethod("POST")
    client.setQuery(SENTRA_QUERY + " ORDER BY ?label")
    client.setReturnFormat(CSV)
    rows = list(csv.reader(io.StringIO(client.query().convert().decode())))
    assert rows[0] == ["s", "label"] and len(rows) == 4


def test_rdflib_sparqlstore_reads(base):
    graph = Graph(store=SPARQLStore(f"{base}/sparql", returnFormat="xml"))
    labels = {str(row.label) for row in graph.query(SENTRA_QUERY)}
    assert "Sentra Sepatu Wedoro" in labels
    assert (URIRef(WEDORO), None, None) in graph


def test_rdflib_sparqlupdatestore_writes_with_token(base):
    # SPARQLWrapper installs a process-wide urllib opener when another client used digest auth
    # (the remote-store tests do); start from urllib's default opener, as a fresh client would.
    urllib.request.install_opener(urllib.request.build_opener())
    store = SPARQLUpdateStore(f"{base}/sparql", f"{base}/sparql",
                              headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    graph = Graph(store=store, identifier=URIRef("http://example.org/rdflib-graph"))
    graph.add((URIRef("http://example.org/x"), URIRef("http://example.org/p"), Literal("added by rdflib")))
    answer = requests.get(f"{base}/sparql", timeout=10, params={
        "query": 'ASK { GRAPH <http://example.org/rdflib-graph> { ?s ?p "added by rdflib" } }'})
    assert answer.json()["boolean"] is True
    anonymous = Graph(store=SPARQLUpdateStore(f"{base}/sparql", f"{base}/sparql"),
                      identifier=URIRef("http://example.org/rdflib-graph"))
    with pytest.raises(Exception, match="401"):
        anonymous.add((URIRef("http://example.org/y"), URIRef("http://example.org/p"), Literal("no")))


@pytest.mark.skipif(shutil.which("oxigraph") is None, reason="the oxigraph server is not installed")
def test_oxigraph_federates_into_our_endpoint(base, tmp_path):
    port = free_port()
    with running_process(["oxigraph", "serve", "--location", str(tmp_path / "oxi"),
                          "--bind", f"127.0.0.1:{port}"], port):
        query = (f"SELECT ?label WHERE {{ SERVICE <{base}/sparql> {{ <{WEDORO}> "
                 "<http://www.w3.org/2000/01/rdf-schema#label> ?label } }")
        response = requests.post(f"http://127.0.0.1:{port}/query", data=query, timeout=30, headers={
            "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
        assert response.status_code == 200, response.text
        labels = {b["label"]["value"] for b in response.json()["results"]["bindings"]}
        assert labels == {"Sentra Sepatu Wedoro", "Wedoro footwear sentra"}
