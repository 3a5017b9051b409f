"""Each role against each write path: 401 without a token, 403 for the wrong role or another
steward's submission or a revoked token, success for the right role — and every write is in the
write log with who and when."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from helpers import assert_problem

from kg.settings import load_settings
from kg.store import EmbeddedStore
from service import create_app

from tests.test_submissions import seed_context, sentra_turtle, snapshot

ADMIN_TOKEN = "admin-token-for-role-tests-0123456789"
TURTLE = {"Content-Type": "text/turtle"}
GRAPH = "https://w3id.org/klaster/id/graph/roles"
TRIPLE = b"<urn:s> <urn:p> <urn:o> ."


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    settings = load_settings({}, store=str(tmp_path / "unused"), admin_token=ADMIN_TOKEN,
                             auth_db=str(tmp_path / "auth.sqlite"))
    store = EmbeddedStore()
    seed_context(store)
    app = create_app(settings, store=store)
    app.testing = True
    yield app
    app.extensions["klaster"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def who(app: Flask) -> dict[str, dict[str, str]]:
    registry = app.extensions["klaster"].auth
    tokens = {"steward-a": registry.create("steward-a", "steward").token,
              "steward-b": registry.create("steward-b", "steward").token,
              "admin-2": registry.create("admin-2", "admin").token,
              "env-admin": ADMIN_TOKEN}
    headers = {name: {"Authorization": f"Bearer {token}"} for name, token in tokens.items()}
    headers["nobody"] = {}
    headers["forged"] = {"Authorization": "Bearer 0123abcd.not-a-real-token-xxxxxxxxxxxxxxxx"}
    return headers


def log(app: Flask) -> list[tuple[str, str, str, str]]:
    return [(e.who, e.role, e.action, e.target) for e in app.extensions["klaster"].auth.log_entries()]


def store_snapshot(app: Flask) -> list[str]:
    return snapshot(app.extensions["klaster"].store)


# (method, path, body, headers) of every admin-only write
ADMIN_WRITES = [
    ("post", "/sparql", "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
     {"Content-Type": "application/sparql-update"}),
    ("put", f"/data?graph={GRAPH}", TRIPLE, TURTLE),
    ("post", f"/data?graph={GRAPH}", TRIPLE, TURTLE),
    ("put", "/data?default", TRIPLE, TURTLE),
]


@pytest.mark.parametrize("method,path,body,headers", ADMIN_WRITES,
                         ids=["sparql-update", "gsp-put", "gsp-post", "gsp-put-default"])
def test_admin_writes(app, client, who, method, path, body, headers) -> None:
    before = store_snapshot(app)
    send = getattr(client, method)
    assert_problem(send(path, data=body, headers=headers), 401)
    for name in ("forged", "steward-a"):
        assert_problem(send(path, data=body, headers={**headers, **who[name]}), 403)
    assert store_snapshot(app) == before and log(app) == []
    for name in ("env-admin", "admin-2"):
        response = send(path, data=body, headers={**headers, **who[name]})
        assert response.status_code in (201, 204), (name, response.data)
    assert store_snapshot(app) != before
    entries = log(app)
    assert [e[0] for e in entries] == ["admin", "admin-2"]
    assert all(e[1] == "admin" for e in entries)
    at = app.extensions["klaster"].auth.log_entries()[0].at
    assert at[:4].isdigit() and "T" in at  # when, as an ISO 8601 timestamp


def test_graph_delete(app, client, who) -> None:
    assert client.put(f"/data?graph={GRAPH}", data=TRIPLE,
                      headers={**TURTLE, **who["env-admin"]}).status_code == 201
    before = store_snapshot(app)
    assert_problem(client.delete(f"/data?graph={GRAPH}"), 401)
    assert_problem(client.delete(f"/data?graph={GRAPH}", headers=who["steward-b"]), 403)
    assert store_snapshot(app) == before
    assert client.delete(f"/data?graph={GRAPH}", headers=who["admin-2"]).status_code == 204
    assert log(app)[-1] == ("admin-2", "admin", "graph-drop", GRAPH)


def test_submissions_by_role(app, client, who) -> None:
    def submit(name: str, slug: str):
        return client.post("/submissions", data=sentra_turtle(slug), headers={**TURTLE, **who[name]})

    before = store_snapshot(app)
    assert_problem(submit("nobody", "x-1"), 401)
    assert_problem(submit("forged", "x-2"), 403)
    assert store_snapshot(app) == before
    mine = submit("steward-a", "sentra-a").get_json()["id"]
    by_admin = submit("admin-2", "sentra-admin").get_json()["id"]

    # replace: only the owner or an admin
    assert_problem(client.put(f"/submissions/{mine}", data=sentra_turtle("sentra-a"), headers=TURTLE), 401)
    snap = store_snapshot(app)
    assert_problem(client.put(f"/submissions/{mine}", data=sentra_turtle("sentra-a"),
                              headers={**TURTLE, **who["steward-b"]}), 403)
    assert_problem(client.put(f"/submissions/{by_admin}", data=sentra_turtle("sentra-admin"),
                              headers={**TURTLE, **who["steward-a"]}), 403)
    assert store_snapshot(app) == snap
    response = client.put(f"/submissions/{mine}", data=sentra_turtle("sentra-a"),
                          headers={**TURTLE, **who["steward-a"]})
    assert response.status_code == 201
    mine = response.get_json()["id"]

    # withdraw: only the owner or an admin
    assert_problem(client.delete(f"/submissions/{mine}"), 401)
    assert_problem(client.delete(f"/submissions/{mine}", headers=who["steward-b"]), 403)
    assert client.delete(f"/submissions/{mine}", headers=who["steward-a"]).status_code == 200

    # an admin may replace anyone's submission; the replacement is then the admin's own
    theirs = submit("steward-b", "sentra-b").get_json()["id"]
    response = client.put(f"/submissions/{theirs}", data=sentra_turtle("sentra-b"),
                          headers={**TURTLE, **who["env-admin"]})
    assert response.status_code == 201
    replaced = response.get_json()
    assert replaced["steward"] == "admin" and replaced["replaces"] == theirs
    assert_problem(client.delete(f"/submissions/{replaced['id']}", headers=who["steward-b"]), 403)
    assert client.delete(f"/submissions/{replaced['id']}", headers=who["admin-2"]).status_code == 200
    assert client.delete(f"/submissions/{by_admin}", headers=who["env-admin"]).status_code == 200

    assert [(e[0], e[2]) for e in log(app)] == [
        ("steward-a", "submit"), ("admin-2", "submit"), ("steward-a", "replace"),
        ("steward-a", "withdraw"), ("steward-b", "submit"), ("admin", "replace"),
        ("admin-2", "withdraw"), ("admin", "withdraw")]


def test_revoked_token_is_refused(app, client, who) -> None:
    registry = app.extensions["klaster"].auth
    response = client.post("/submissions", data=sentra_turtle("before-revoke"),
                           headers={**TURTLE, **who["steward-a"]})
    assert response.status_code == 201
    registry.revoke("steward-a")
    before = store_snapshot(app)
    assert_problem(client.post("/submissions", data=sentra_turtle("after-revoke"),
                               headers={**TURTLE, **who["steward-a"]}), 403)
    assert_problem(client.post("/sparql", data={"update": "INSERT DATA { <urn:a> <urn:b> 1 }"},
                               headers=who["steward-a"]), 403)
    assert store_snapshot(app) == before


def test_reads_are_public(client) -> None:
    assert client.get("/submissions").status_code == 200
    assert client.get("/sparql", query_string={"query": "ASK {}"},
                      headers={"Accept": "application/sparql-results+json"}).status_code == 200
    assert client.get("/data?default").status_code == 200
