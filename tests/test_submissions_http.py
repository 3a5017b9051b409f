"""The submissions API over HTTP: roles (401, 403, success), 201/422, replace, withdraw, upload page."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kg.auth import TokenRegistry
from kg.settings import load_settings
from kg.store import EmbeddedStore
from kg import submissions as subs
from service import create_app
from service.submissions import bp

from tests.test_submissions import (BASE, CSV_BAD_ROW, CSV_HEADER, CSV_WARNING_ROW, seed_context,
                                    sentra_turtle, snapshot)

ADMIN_TOKEN = "admin-token-for-tests-0123456789"
TURTLE = {"Content-Type": "text/turtle"}


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    settings = load_settings({}, store=str(tmp_path / "unused"), admin_token=ADMIN_TOKEN,
                             auth_db=str(tmp_path / "auth.sqlite"))
    store = EmbeddedStore()
    seed_context(store)
    app = create_app(settings, store=store)
    app.testing = True
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def tokens(app: Flask) -> dict[str, dict[str, str]]:
    registry = app.extensions["klaster"].auth
    made = {name: registry.create(name, "steward").token for name in ("dinas-a", "dinas-b")}
    made["admin2"] = registry.create("admin2", "admin").token
    made["admin"] = ADMIN_TOKEN
    return {name: {"Authorization": f"Bearer {token}"} for name, token in made.items()}


def post(client: FlaskClient, headers: dict[str, str], body: bytes = b"", **query: str):
    return client.post("/submissions", data=body or sentra_turtle(), query_string=query,
                       headers={**TURTLE, **headers})


def assert_problem(response, status: int) -> None:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.get_data(as_text=True)


def test_submit_then_query_through_sparql_and_inspect(client: FlaskClient, tokens, app: Flask) -> None:
    response = post(client, tokens["dinas-a"], filename="wedoro.ttl", kind="sentra")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"] == f"/submissions/{body['id']}"
    assert body["steward"] == "dinas-a" and body["status"] == "active" and body["title"] == "wedoro.ttl"
    assert body["report"]["conforms"] is True
    sparql = client.get("/sparql", query_string={"query": f"ASK {{ GRAPH <{body['graph']}> "
                        f"{{ <{BASE}sentra/alas-kaki-wedoro> ?p ?o }} }}"},
                        headers={"Accept": "application/sparql-results+json"})
    assert sparql.status_code == 200 and sparql.get_json()["boolean"] is True
    shown = client.get(response.headers["Location"])
    assert shown.status_code == 200 and shown.get_json()["id"] == body["id"]
    listed = client.get("/submissions").get_json()["submissions"]
    assert [s["id"] for s in listed] == [body["id"]]
    log = app.extensions["klaster"].auth.log_entries()
    assert [(e.who, e.role, e.action, e.target) for e in log] == [
        ("dinas-a", "steward", "submit", body["id"])]


def test_rejected_submission_is_422_and_stores_nothing(client: FlaskClient, tokens, app: Flask) -> None:
    store = app.extensions["klaster"].store
    before = snapshot(store)
    response = post(client, tokens["dinas-a"], sentra_turtle(good=False), filename="bad.ttl")
    assert response.status_code == 422
    body = response.get_json()
    assert body["conforms"] is False and body["findings"] and body["accepted"] is False
    assert snapshot(store) == before
    csv = client.post("/submissions", data=(CSV_HEADER + CSV_WARNING_ROW + CSV_BAD_ROW).encode(),
                      query_string={"filename": "sentra.csv"},
                      headers={"Content-Type": "text/csv", "Accept-Language": "en", **tokens["dinas-a"]})
    assert csv.status_code == 422
    violations = [f for f in csv.get_json()["findings"] if f["severity"] == "violation"]
    assert [(f["row"], f["column"]) for f in violations] == [(3, "kode_wilayah")]
    assert "Kemendagri" in violations[0]["message"]
    assert snapshot(store) == before
    assert client.get("/submissions").get_json()["submissions"] == []
    assert [e.action for e in app.extensions["klaster"].auth.log_entries()] == ["submit-rejected"] * 2


def test_unreadable_and_empty_bodies_are_400(client: FlaskClient, tokens, app: Flask) -> None:
    before = snapshot(app.extensions["klaster"].store)
    assert_problem(post(client, tokens["dinas-a"], b"@prefix : <"), 400)
    assert_problem(client.post("/submissions", data=b"", headers={**TURTLE, **tokens["dinas-a"]}), 400)
    assert snapshot(app.extensions["klaster"].store) == before


def test_writes_need_a_valid_token(client: FlaskClient, tokens, app: Flask) -> None:
    store = app.extensions["klaster"].store
    before = snapshot(store)
    missing = client.post("/submissions", data=sentra_turtle(), headers=TURTLE)
    assert_problem(missing, 401)
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert_problem(post(client, {"Authorization": "Bearer 0123abcd.wrongwrongwrongwrongwrong"}), 403)
    assert_problem(post(client, {"Authorization": "Basic ZGluYXM6eA=="}), 401)
    registry = app.extensions["klaster"].auth
    registry.revoke("dinas-b")
    assert_problem(post(client, tokens["dinas-b"]), 403)
    assert snapshot(store) == before
    for method in ("put", "delete"):
        assert_problem(getattr(client, method)("/submissions/20260101-000000-abcdef", data=b"x",
                                               headers=TURTLE), 401)


def test_roles_on_withdraw_and_replace(client: FlaskClient, tokens, app: Flask) -> None:
    first = post(client, tokens["dinas-a"]).get_json()
    location = f"/submissions/{first['id']}"
    # another steward may neither replace nor withdraw it
    assert_problem(client.put(location, data=sentra_turtle(label="B"), headers={**TURTLE, **tokens["dinas-b"]}), 403)
    assert_problem(client.delete(location, headers=tokens["dinas-b"]), 403)
    # the owner replaces it
    replaced = client.put(location, data=sentra_turtle(label="Versi 2"), query_string={"filename": "v2.ttl"},
                          headers={**TURTLE, **tokens["dinas-a"]})
    assert replaced.status_code == 201
    second = replaced.get_json()
    assert second["replaces"] == first["id"] and replaced.headers["Location"] == f"/submissions/{second['id']}"
    old = client.get(location).get_json()
    assert old["status"] == "replaced" and old["replaced_by"] == second["id"] and old["invalidated"]
    assert_problem(client.delete(location, headers=tokens["dinas-a"]), 409)
    # an admin (from the token database, and the KLASTER_ADMIN_TOKEN) may withdraw anyone's
    withdrawn = client.delete(f"/submissions/{second['id']}", headers=tokens["admin2"])
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    third = post(client, tokens["dinas-b"]).get_json()
    assert client.delete(f"/submissions/{third['id']}", headers=tokens["admin"]).status_code == 200
    store = app.extensions["klaster"].store
    assert [g for g in store.graphs() if "/graph/submission/" in g] == []
    statuses = {r.id: r.status for r in subs.list_submissions(store, base_iri=BASE)}
    assert statuses == {first["id"]: "replaced", second["id"]: "withdrawn", third["id"]: "withdrawn"}
    actions = [(e.who, e.action) for e in app.extensions["klaster"].auth.log_entries()]
    assert actions == [("dinas-a", "submit"), ("dinas-a", "replace"), ("admin2", "withdraw"),
                       ("dinas-b", "submit"), ("admin", "withdraw")]


def test_unknown_submission_is_404(client: FlaskClient, tokens) -> None:
    assert_problem(client.get("/submissions/20260101-000000-abcdef"), 404)
    assert_problem(client.get("/submissions/..%2F..%2Fetc"), 404)
    assert_problem(client.delete("/submissions/20260101-000000-abcdef", headers=tokens["admin"]), 404)


def test_multipart_upload_as_the_page_sends_it(client: FlaskClient, tokens) -> None:
    import io
    response = client.post("/submissions", data={"kind": "sentra", "file": (io.BytesIO(sentra_turtle()), "w.ttl", "text/turtle")},
                           headers=tokens["dinas-a"], content_type="multipart/form-data")
    assert response.status_code == 201 and response.get_json()["title"] == "w.ttl"


def test_upload_page(client: FlaskClient) -> None:
    page = client.get("/upload")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert 'id="file"' in html and "/validate" in html and "/submissions" in html
    assert "http://" not in html and "https://" not in html  # no internet assets


def test_with_an_on_disk_store_and_query_worker_processes(tmp_path: Path) -> None:
    """The production path: create_app opens the store itself; queries run in worker processes."""
    path = tmp_path / "store"
    disk = EmbeddedStore(path)
    seed_context(disk)  # ontology and reference graphs present: create_app will not re-seed
    disk.close()
    settings = load_settings({}, store=str(path), query_workers="1")
    app = create_app(settings)
    state = app.extensions["klaster"]
    try:
        if not getattr(state, "auth", None):
            state.auth = TokenRegistry(settings.auth_db_path)
            state.authenticators.append(state.auth.authenticate)
        if "submissions" not in app.blueprints:
            app.register_blueprint(bp)
        client = app.test_client()
        token = state.auth.create("dinas-a", "steward").token
        created = post(client, {"Authorization": f"Bearer {token}"}, filename="w.ttl")
        assert created.status_code == 201, created.get_json()
        sparql = client.get("/sparql", query_string={"query": f"ASK {{ <{BASE}sentra/alas-kaki-wedoro> "
                            "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"},
                            headers={"Accept": "application/sparql-results+json"})
        assert sparql.get_json()["boolean"] is True
        assert client.delete(created.headers["Location"],
                             headers={"Authorization": f"Bearer {token}"}).get_json()["status"] == "withdrawn"
        assert client.get("/submissions").get_json()["submissions"][0]["status"] == "withdrawn"
    finally:
        state.close()
