"""``klaster serve`` creates and seeds a new store, then serves it under waitress in a real process."""

from __future__ import annotations

import sys

import requests
from helpers import ADMIN_TOKEN, free_port, running_process

from kg.store import EmbeddedStore

BASE = "https://w3id.org/klaster/id/"


def test_klaster_serve_seeds_a_new_store_and_serves_it(tmp_path):
    path = tmp_path / "new-store"
    port = free_port()
    command = [sys.executable, "-m", "kg.cli", "serve", "--store", str(path), "--port", str(port)]
    with running_process(command, port, timeout=600,
                         env={"KLASTER_ADMIN_TOKEN": ADMIN_TOKEN, "KLASTER_QUERY_TIMEOUT": "10"}):
        health = requests.get(f"http://127.0.0.1:{port}/health", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert health.headers["Server"] == "klaster"  # waitress, not the Flask development server
        answer = requests.get(
            f"http://127.0.0.1:{port}/sparql", timeout=10,
            params={"query": "SELECT ?label WHERE { <https://w3id.org/klaster/id/wilayah/35.15.18.2013> "
                             "<http://www.w3.org/2000/01/rdf-schema#label> ?label }"})
        assert answer.json()["results"]["bindings"][0]["label"]["value"] == "Wedoro"
        sample = requests.get(f"http://127.0.0.1:{port}/sparql", timeout=10, params={
            "query": f"ASK {{ GRAPH <{BASE}graph/sample> {{ <{BASE}sentra/wedoro> ?p ?o }} }}"})
        assert sample.json()["boolean"] is True
        # while serving: the seeding's write-ahead logs were deleted when the new store reopened
        assert sum(f.stat().st_size for f in path.glob("*.log")) < 64 * 2**20
    store = EmbeddedStore(path, read_only=True)
    assert {f"{BASE}graph/{g}" for g in ("ontology", "reference", "sample", "inferred")} <= set(store.graphs())
    store.close()
