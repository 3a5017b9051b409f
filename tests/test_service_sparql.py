"""The /sparql endpoint through Flask's test client: protocol forms, formats, errors, limits, auth."""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers import ADMIN_TOKEN, assert_problem

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SENTRA = "PREFIX kl: <https://w3id.org/klaster/ontology#>\nSELECT ?s WHERE { ?s a kl:Sentra } ORDER BY ?s"


def sentra(body: bytes) -> list[str]:
    return [b["s"]["value"] for b in json.loads(body)["results"]["bindings"]]


def test_query_by_get_post_form_and_post_direct_agree(client):
    by_get = client.get("/sparql", query_string={"query": SENTRA})
    by_form = client.post("/sparql", data={"query": SENTRA})
    by_direct = client.post("/sparql", data=SENTRA, content_type="application/sparql-query")
    for response in (by_get, by_form, by_direct):
        assert response.status_code == 200
        assert response.mimetype == "application/sparql-results+json"
        assert sentra(response.data) == ["https://w3id.org/klaster/id/sentra/mojokerto",
                                         "https://w3id.org/klaster/id/sentra/wedoro"]


@pytest.mark.parametrize("accept, mimetype", [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
])
def test_select_results_by_accept(client, accept, mimetype):
    response = client.get("/sparql", query_string={"query": SENTRA}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == mimetype
    if mimetype == "text/csv":
        rows = list(csv.reader(io.StringIO(response.data.decode())))
        assert rows[0] == ["s"] and len(rows) == 3


@pytest.mark.parametrize("accept, mimetype, marker", [
    (None, "text/turtle", b"kl:Sentra"),
    ("application/n-triples", "application/n-triples", b"<https://w3id.org/klaster/ontology#Sentra>"),
    ("application/ld+json", "application/ld+json", b"@id"),
    ("application/rdf+xml", "application/rdf+xml", b"rdf:RDF"),
])
def test_construct_by_accept(client, accept, mimetype, marker):
    query = "CONSTRUCT WHERE { ?s a <https://w3id.org/klaster/ontology#Sentra> }"
    headers = {"Accept": accept} if accept else {}
    response = client.post("/sparql", data={"query": query}, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert marker in response.data


def test_ask_and_format_parameter(client):
    response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", "format": "xml"})
    assert response.mimetype == "application/sparql-results+xml"
    assert b"<boolean>true</boolean>" in response.data
    download = client.get("/sparql", query_string={"query": SENTRA, "format": "csv", "download": "1"})
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_unsatisfiable_accept_is_406(client):
    response = client.get("/sparql", query_string={"query": SENTRA}, headers={"Accept": "image/png"})
    assert_problem(response, 406)


def test_syntax_error_is_400_with_position(client):
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
    body = assert_problem(response, 400)
    assert "1:" in body["detail"] and "error at" in body["detail"]


def test_service_description_without_query(client):
    response = client.get("/sparql")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    text = response.data.decode()
    assert "sd:Service" in text and "sd:SPARQL11Query" in text
    assert "https://w3id.org/klaster/id/graph/sample" in text
    as_nt = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert b"<http://www.w3.org/ns/sparql-service-description#endpoint>" in as_nt.data


def test_row_cap_keeps_the_first_rows_in_every_format(app):
    query = "SELECT ?n WHERE { VALUES ?n { 1 2 3 4 5 } }"
    state = app.extensions["klaster"]
    from kg.executor import QueryRequest
    outcome = state.store.execute(QueryRequest(query, max_rows=3, results_format="csv"))
    assert outcome.truncated and outcome.rows == 3
    assert outcome.body.decode().split("\r\n")[:4] == ["n", "1", "2", "3"]
    exact = state.store.execute(QueryRequest(query, max_rows=5, results_format="xml"))
    assert not exact.truncated and exact.body.count(b"<result>") == 5
    graph = state.store.execute(QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }", max_rows=2,
                                             graph_format="ntriples"))
    assert graph.truncated and graph.body.count(b" .\n") == 2


def test_row_cap_over_http(settings, memory_store):
    from service import create_app

    app = create_app(settings.replace(max_rows=2), store=memory_store)
    response = app.test_client().get("/sparql", query_string={
        "query": "SELECT ?n WHERE { VALUES ?n { 1 2 3 } }"})
    assert response.headers["X-Klaster-Truncated"] == "true"
    assert response.headers["X-Klaster-Row-Limit"] == "2"
    assert len(json.loads(response.data)["results"]["bindings"]) == 2
    small = app.test_client().get("/sparql", query_string={"query": "SELECT ?n WHERE { VALUES ?n { 1 } }"})
    assert "X-Klaster-Truncated" not in small.headers


def test_oversized_body_is_413(client, settings):
    response = client.post("/sparql", data="#" * (settings.max_body + 10),
                           content_type="application/sparql-query")
    assert_problem(response, 413)


@pytest.mark.parametrize("method, kwargs, status", [
    ("put", {"query_string": {"query": "ASK {}"}}, 405),
    ("get", {"query_string": {"query": ["ASK {}", "ASK {}"]}}, 400),
    ("get", {"query_string": {"update": "CLEAR ALL"}}, 400),
    ("post", {"data": "ASK {}", "content_type": "text/plain"}, 415),
    ("post", {"data": "ASK {}"}, 415),
    ("post", {"data": "ASK {}".encode("utf-16"), "content_type": "application/sparql-query; charset=UTF-16"}, 415),
    ("post", {"data": {"query": "ASK {}", "update": "CLEAR ALL"}}, 400),
])
def test_malformed_protocol_requests(client, method, kwargs, status):
    assert_problem(getattr(client, method)("/sparql", **kwargs), status)


def test_unknown_path_is_problem_json(client):
    assert_problem(client.get("/no-such-page"), 404)


def test_update_needs_admin_token(client):
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }"
    no_token = client.post("/sparql", data={"update": update})
    assert_problem(no_token, 401)
    assert no_token.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = client.post("/sparql", data={"update": update}, headers={"Authorization": "Bearer nope"})
    assert_problem(wrong, 403)
    ok = client.post("/sparql", data=update, content_type="application/sparql-update", headers=AUTH)
    assert ok.status_code == 204
    ask = client.get("/sparql", query_string={"query": "ASK { <http://example.org/a> ?p ?o }"})
    assert json.loads(ask.data)["boolean"] is True


def test_writes_refused_without_configured_token(settings, memory_store):
    from service import create_app

    app = create_app(settings.replace(admin_token=None), store=memory_store)
    response = app.test_client().post("/sparql", data={"update": "CLEAR ALL"}, headers=AUTH)
    assert_problem(response, 403)


def test_cors_for_reads(client):
    response = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://x.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/sparql", headers={
        "Origin": "https://x.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" not in preflight.headers["Access-Control-Allow-Headers"]


def test_health(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_unexpected_error_is_logged_500_without_traceback(app, client, caplog):
    @app.route("/boom-for-test")
    def boom():
        raise RuntimeError("secret internal detail")

    body = assert_problem(client.get("/boom-for-test"), 500)
    assert "secret internal detail" not in body["detail"]
    assert "secret internal detail" in caplog.text
