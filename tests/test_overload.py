"""Overload: 16 concurrent slow SPARQL queries against a real ``klaster serve`` do not stop
``/health`` and a cheap canned question from answering within a second, and every timed-out
query's worker process is really gone afterwards."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import psutil
import requests

from helpers import free_port, running_process

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER (?c != ?f) }"
TIMEOUT = 4
WORKERS = 2


def _workers(server: psutil.Process) -> set[int]:
    return {child.pid for child in server.children() if "kg.query_worker" in " ".join(child.cmdline())}


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_slow_queries_do_not_starve_health_and_questions(seeded_store_copy: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"KLASTER_QUERY_TIMEOUT": str(TIMEOUT), "KLASTER_QUERY_WORKERS": str(WORKERS),
           "KLASTER_THREADS": "8"}
    with running_process([sys.executable, "-m", "kg.cli", "serve", "--store", str(seeded_store_copy),
                          "--port", str(port)], port, env=env, timeout=180) as process:
        server = psutil.Process(process.pid)
        question = f"{base}/api/sentra-in-region"
        assert requests.get(question, params={"region": "35.15"}, timeout=60).status_code == 200
        assert requests.get(f"{base}/health", timeout=30).status_code == 200
        before = _workers(server)
        assert len(before) == WORKERS + 1

        answers: list[requests.Response] = []

        def slow() -> None:
            answers.append(requests.post(f"{base}/sparql", data={"query": SLOW}, timeout=60))

        storm = [threading.Thread(target=slow) for _ in range(16)]
        for thread in storm:
            thread.start()
        time.sleep(0.5)  # the slow queries are running (or refused)
        probes: list[tuple[str, int, float]] = []
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            for url, params in ((f"{base}/health", None), (question, {"region": "35.15"})):
                started = time.monotonic()
                response = requests.get(url, params=params, timeout=10)
                probes.append((url, response.status_code, time.monotonic() - started))
            time.sleep(0.1)
        for thread in storm:
            thread.join(60)

        assert len(probes) >= 6
        slow_probes = [p for p in probes if p[1] != 200 or p[2] >= 1.0]
        assert not slow_probes, slow_probes
        statuses = sorted(r.status_code for r in answers)
        assert len(statuses) == 16 and set(statuses) == {503}, statuses
        titles = {r.json()["title"] for r in answers}
        assert titles <= {"Query timed out", "Server busy"}, titles
        assert "Query timed out" in titles  # some ran (and were stopped), the rest were refused
        busy = [r for r in answers if r.json()["title"] == "Server busy"]
        assert all(r.headers.get("Retry-After") for r in busy)

        after = _workers(server)
        killed = before - after
        assert killed, "no worker was stopped"
        assert all(_gone(pid) for pid in killed), "a timed-out query's worker is still alive"
        assert len(after) == WORKERS + 1  # replaced
        time.sleep(0.5)
        busy_cpu = [pid for pid in after if psutil.Process(pid).cpu_percent(interval=0.3) > 50]
        assert not busy_cpu, f"workers still burning CPU after the storm: {busy_cpu}"
        assert requests.get(f"{base}/sparql", params={"query": "ASK { ?s ?p ?o }"},
                            headers={"Accept": "application/sparql-results+json"},
                            timeout=30).json()["boolean"] is True
