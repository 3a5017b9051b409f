"""KLASTER_QUERY_TIMEOUT really stops a runaway query: its worker process is killed, the client
gets 503 problem+json, and other requests are served meanwhile."""

from __future__ import annotations

import os
import threading
import time

import requests
from helpers import assert_problem, served

RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
           "?m ?n1 ?o . ?p ?q ?r . ?s ?t ?u . ?v ?w ?x . ?y ?z ?zz }")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_runaway_query_is_killed_while_others_are_served(settings, disk_store):
    from service import create_app

    app = create_app(settings.replace(query_timeout=1.5, query_workers=2), store=disk_store)
    executor = app.extensions["klaster"].executor
    try:
        with served(app) as base:
            assert requests.get(f"{base}/health", timeout=10).status_code == 200
            pids_before = set(executor.worker_pids())
            outcome: dict[str, object] = {}

            def runaway() -> None:
                started = time.monotonic()
                outcome["response"] = requests.post(f"{base}/sparql", data={"query": RUNAWAY}, timeout=30)
                outcome["seconds"] = time.monotonic() - started

            thread = threading.Thread(target=runaway)
            thread.start()
            time.sleep(0.3)
            cheap = requests.get(f"{base}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
            assert cheap.status_code == 200 and cheap.json()["boolean"] is True
            assert thread.is_alive(), "the runaway query should still be running"
            thread.join(20)

            body = assert_problem(outcome["response"], 503)
            assert "timed out after 1.5 s" in body["detail"]
            assert outcome["seconds"] < 5
            killed = pids_before - set(executor.worker_pids())
            assert len(killed) == 1
            assert not any(_alive(pid) for pid in killed)  # its CPU is free
            assert len(executor.worker_pids()) == 3          # and a fresh worker took its place
            #                                                (2 for /sparql + 1 for the service)
            again = requests.get(f"{base}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
            assert again.status_code == 200
    finally:
        app.extensions["klaster"].close()


def test_writes_are_visible_to_worker_queries(disk_app):
    client = disk_app.test_client()
    from helpers import ADMIN_TOKEN

    query = {"query": "ASK { <http://example.org/new> ?p ?o }"}
    assert client.get("/sparql", query_string=query).get_json()["boolean"] is False
    response = client.post("/sparql", data={"update": "INSERT DATA { <http://example.org/new> <http://example.org/p> 1 }"},
                           headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 204
    assert client.get("/sparql", query_string=query).get_json()["boolean"] is True


def test_a_worker_that_died_while_idle_is_replaced(disk_app):
    import signal

    executor = disk_app.extensions["klaster"].executor
    client = disk_app.test_client()
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    for pid in executor.worker_pids():
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    for _ in range(3):
        response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
        assert response.status_code == 200 and response.get_json()["boolean"] is True
