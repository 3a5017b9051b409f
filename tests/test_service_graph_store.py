"""The Graph Store HTTP Protocol at /data: public reads, admin writes."""

from __future__ import annotations

import pytest
from helpers import ADMIN_TOKEN, assert_problem

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SAMPLE = "https://w3id.org/klaster/id/graph/sample"
NEW = "http://example.org/graph/new"
TTL = "@prefix ex: <http://example.org/> . ex:a ex:p ex:b . ex:a ex:q 'x' ."


def test_get_named_graph_by_accept(client):
    turtle = client.get("/data", query_string={"graph": SAMPLE})
    assert turtle.status_code == 200 and turtle.mimetype == "text/turtle"
    assert b"Sentra Sepatu Wedoro" in turtle.data
    nt = client.get("/data", query_string={"graph": SAMPLE}, headers={"Accept": "application/n-triples"})
    assert nt.mimetype == "application/n-triples" and nt.data.count(b" .\n") >= 10
    head = client.head("/data", query_string={"graph": SAMPLE})
    assert head.status_code == 200 and head.data == b""


def test_missing_graph_and_missing_target(client):
    assert_problem(client.get("/data", query_string={"graph": NEW}), 404)
    assert_problem(client.get("/data"), 400)
    assert_problem(client.get("/data", query_string={"graph": "not an iri"}), 400)


def test_put_post_delete_lifecycle(client):
    created = client.put("/data", query_string={"graph": NEW}, data=TTL, content_type="text/turtle", headers=AUTH)
    assert created.status_code == 201
    replaced = client.put("/data", query_string={"graph": NEW}, data="<http://example.org/c> <http://example.org/p> \"1\" .",
                          content_type="application/n-triples", headers=AUTH)
    assert replaced.status_code == 204
    body = client.get("/data", query_string={"graph": NEW}, headers={"Accept": "application/n-triples"}).data
    assert b"example.org/c" in body and b"example.org/a" not in body
    merged = client.post("/data", query_string={"graph": NEW}, data=TTL, content_type="text/turtle", headers=AUTH)
    assert merged.status_code == 204
    body = client.get("/data", query_string={"graph": NEW}, headers={"Accept": "application/n-triples"}).data
    assert b"example.org/c" in body and b"example.org/a" in body
    assert client.delete("/data", query_string={"graph": NEW}, headers=AUTH).status_code == 204
    assert_problem(client.delete("/data", query_string={"graph": NEW}, headers=AUTH), 404)


def test_default_graph_is_the_real_default_graph(client):
    assert client.put("/data?default", data=TTL, content_type="text/turtle", headers=AUTH).status_code == 204
    body = client.get("/data?default", headers={"Accept": "application/n-triples"}).data
    assert b"example.org/a" in body and b"Wedoro" not in body
    assert client.delete("/data?default", headers=AUTH).status_code == 204
    assert client.get("/data?default", headers={"Accept": "application/n-triples"}).data.strip() == b""


@pytest.mark.parametrize("method", ["put", "post", "delete"])
def test_writes_need_the_admin_token(client, method):
    call = getattr(client, method)
    assert_problem(call("/data", query_string={"graph": NEW}, data=TTL, content_type="text/turtle"), 401)
    assert_problem(call("/data", query_string={"graph": NEW}, data=TTL, content_type="text/turtle",
                        headers={"Authorization": "Bearer wrong"}), 403)


def test_bad_bodies(client):
    assert_problem(client.put("/data", query_string={"graph": NEW}, data="x", content_type="image/png",
                              headers=AUTH), 415)
    assert_problem(client.put("/data", query_string={"graph": NEW}, data="<a> <b", content_type="text/turtle",
                              headers=AUTH), 400)


def test_large_graph_streams_over_http(settings, disk_store):
    import pyoxigraph as ox
    import requests
    from helpers import served

    from service import create_app

    big = "http://example.org/graph/big"
    disk_store.add(ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"),
                           ox.Literal(i), ox.NamedNode(big)) for i in range(30_000))
    app = create_app(settings, store=disk_store)
    try:
        with served(app) as base:
            response = requests.get(f"{base}/data", params={"graph": big}, stream=True, timeout=30,
                                    headers={"Accept": "application/n-triples"})
            assert response.status_code == 200
            assert response.headers.get("Transfer-Encoding") == "chunked"  # not buffered whole
            assert sum(chunk.count(b"\n") for chunk in response.iter_content(65536)) == 30_000
    finally:
        app.extensions["klaster"].close()
