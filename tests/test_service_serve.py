"""``klaster serve`` runs the app under waitress in a real process."""

from __future__ import annotations

import sys

import pyoxigraph as ox
import requests
from helpers import ADMIN_TOKEN, free_port, running_process

from kg.cli import COMMANDS
from kg.namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE, graph_iri
from kg.store import EmbeddedStore

BASE = "https://w3id.org/klaster/id/"
STANDALONE = """
import argparse, sys
from kg.cli import serve
parser = argparse.ArgumentParser(prog="klaster")
serve.register(parser.add_subparsers())
args = parser.parse_args(["serve"] + sys.argv[1:])
sys.exit(args.func(args))
"""


def test_klaster_serve(tmp_path):
    # A store that already holds the seeded graphs, so the test does not wait for full seeding.
    path = tmp_path / "store"
    store = EmbeddedStore(path)
    for name in (GRAPH_ONTOLOGY, GRAPH_REFERENCE):
        store.load(b"<http://example.org/s> <http://example.org/p> \"x\" .", format=ox.RdfFormat.N_TRIPLES,
                   graph=graph_iri(BASE, name))
    store.close()
    del store
    port = free_port()
    if "serve" in COMMANDS:
        command = [sys.executable, "-m", "kg.cli", "serve"]
    else:  # until kg.cli lists the sub-command, drive its module the same way kg.cli would
        command = [sys.executable, "-c", STANDALONE]
    with running_process(command + ["--store", str(path), "--port", str(port)],
                         port, env={"KLASTER_ADMIN_TOKEN": ADMIN_TOKEN, "KLASTER_QUERY_TIMEOUT": "5"}):
        health = requests.get(f"http://127.0.0.1:{port}/health", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert health.headers["Server"] == "klaster"  # waitress, not the Flask development server
        answer = requests.get(f"http://127.0.0.1:{port}/sparql", timeout=10,
                              params={"query": "SELECT ?o WHERE { ?s <http://example.org/p> ?o }"})
        assert answer.json()["results"]["bindings"][0]["o"]["value"] == "x"
