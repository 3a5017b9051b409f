"""W3C SPARQL 1.1 Protocol conformance: every test of tests/w3c/manifest.ttl over real HTTP.

Each test's graph data is loaded through the Graph Store Protocol (PUT /data with the admin
token); each request is sent exactly as the manifest describes (method, path, headers, body in its
character encoding) with the admin token; status class, result format and boolean answers are
checked. The app runs under waitress over an on-disk store, so queries go through the worker
processes and snapshots as in production.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests
from helpers import ADMIN_TOKEN, served
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection

from kg.formats import GRAPH_FORMATS, RESULT_FORMATS
from kg.settings import Settings
from kg.store import EmbeddedStore

W3C = Path(__file__).resolve().parent / "w3c"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _manifest() -> tuple[Graph, list[URIRef]]:
    graph = Graph().parse(W3C / "manifest.ttl", format="turtle", publicID=(W3C / "manifest.ttl").as_uri())
    root = next(graph.subjects(MF.entries, None))
    return graph, list(Collection(graph, graph.value(root, MF.entries)))


GRAPH, ENTRIES = _manifest()


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    from service import create_app

    folder = tmp_path_factory.mktemp("w3c")
    store = EmbeddedStore(folder / "store")
    settings = Settings(store=str(folder / "store"), admin_token=ADMIN_TOKEN, query_timeout=20,
                        query_workers=2)
    app = create_app(settings, store=store)
    with served(app) as base:
        yield base
    app.extensions["klaster"].close()
    store.close()


def test_manifest_has_34_tests():
    assert len(ENTRIES) == 34


def _status_ok(status: int, expected: set[URIRef]) -> bool:
    return any(status // 100 == int(str(code)[-3]) for code in expected)


def _boolean(response: requests.Response) -> bool:
    content_type = response.headers["Content-Type"].split(";")[0]
    if content_type == "application/sparql-results+json":
        return json.loads(response.content)["boolean"]
    assert content_type == "application/sparql-results+xml", content_type
    element = ET.fromstring(response.content).find("{http://www.w3.org/2005/sparql-results#}boolean")
    return element.text.strip() == "true"


@pytest.mark.parametrize("test", ENTRIES, ids=[str(e).rsplit("#", 1)[-1] for e in ENTRIES])
def test_protocol(endpoint, test):
    g = GRAPH
    drop = requests.post(f"{endpoint}/sparql", data={"update": "DROP ALL"}, headers=AUTH, timeout=30)
    assert drop.status_code == 204
    for data in g.objects(test, UT.graphData):
        name = str(g.value(data, RDFS.label))
        body = Path(str(g.value(data, UT.graph)).removeprefix("file://")).read_bytes()
        put = requests.put(f"{endpoint}/data", params={"graph": name}, data=body, timeout=30,
                           headers={**AUTH, "Content-Type": "application/n-triples"})
        assert put.status_code in (201, 204), put.text
    action = g.value(test, MF.action)
    for request in Collection(g, g.value(action, HT.requests)):
        path = str(g.value(request, HT.absolutePath))
        assert path.startswith("/sparql/")
        url = endpoint + "/sparql" + path[len("/sparql/"):]
        headers = dict(AUTH)
        for header in Collection(g, g.value(request, HT.headers)) if g.value(request, HT.headers) else []:
            headers[str(g.value(header, HT.fieldName))] = str(g.value(header, HT.fieldValue))
        body = g.value(request, HT.body)
        data = None
        if body is not None:
            encoding = str(g.value(body, CNT.characterEncoding) or "UTF-8")
            data = str(g.value(body, CNT.chars)).encode(encoding)
        method = str(g.value(request, HT.methodName))
        response = requests.request(method, url, data=data, headers=headers, timeout=30,
                                    allow_redirects=False)
        expected = g.value(request, HT.resp)
        statuses = set(g.objects(expected, MF.expectedStatus))
        assert _status_ok(response.status_code, statuses), (response.status_code, response.text[:300])
        fmt = g.value(expected, MF.expectedFormat)
        media_type = response.headers.get("Content-Type", "").split(";")[0]
        if fmt is not None:
            kinds = {"boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
                     "tabular": tuple(f.media_type for f in RESULT_FORMATS),
                     "RDF": tuple(f.media_type for f in GRAPH_FORMATS)}[str(fmt)]
            assert media_type in kinds
        answer = g.value(expected, MF.expectedBoolean)
        if answer is not None:
            assert _boolean(response) is answer.toPython()
