"""Helpers shared by the test modules: ports, processes, a served app, problem+json checks, paged
question answers."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence

from kg.questions import run_question

ADMIN_TOKEN = "test-admin-token-0123456789"

#: A tiny dataset in the Klaster vocabulary (relative IRIs resolve against the base IRI).
TINY_TTL = """\
@prefix kl: <https://w3id.org/klaster/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<sentra/wedoro> a kl:Sentra ; rdfs:label "Sentra Sepatu Wedoro"@id, "Wedoro footwear sentra"@en ;
    kl:locatedIn <wilayah/35.15.18.2013> ; kl:produces <produk/sepatu> ; kl:isIllustrative true .
<sentra/mojokerto> a kl:Sentra ; rdfs:label "Sentra Sepatu Mojokerto"@id ;
    kl:produces <produk/sepatu> ; kl:isIllustrative true .
<wilayah/35.15.18.2013> a kl:Village ; rdfs:label "Wedoro"@id ; skos:notation "35.15.18.2013" .
<produk/sepatu> a kl:Product ; rdfs:label "sepatu"@id, "shoes"@en .
"""


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, *, host: str = "127.0.0.1", timeout: float = 30.0,
                  process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.2)
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listened on {host}:{port} within {timeout} s")


@contextlib.contextmanager
def running_process(args: Sequence[str], port: int, *, env: dict[str, str] | None = None,
                    timeout: float = 60.0) -> Iterator[subprocess.Popen]:
    """Start ``args``, wait until it listens on ``port``, stop it (and only it) afterwards."""
    process = subprocess.Popen(list(args), env={**os.environ, **(env or {})},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        try:
            wait_for_port(port, timeout=timeout, process=process)
        except (RuntimeError, TimeoutError) as exc:
            process.kill()
            output = process.communicate(timeout=5)[0].decode(errors="replace")
            raise RuntimeError(f"{exc}\n{output[-3000:]}") from None
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


@contextlib.contextmanager
def served(app, *, threads: int = 4) -> Iterator[str]:
    """Serve a WSGI ``app`` with waitress in a background thread; yields its base URL."""
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        for channel in list(server._map.values()):  # idle keep-alive connections keep the loop alive
            with contextlib.suppress(OSError):
                channel.close()
        server.task_dispatcher.shutdown()
        thread.join(5)


def _json(response) -> dict:
    getter = getattr(response, "get_json", None)
    if getter is not None:
        return getter(force=True)
    return response.json()


def assert_problem(response, status: int) -> dict:
    """Check an RFC 9457 problem+json error: its status, media type, title and detail."""
    code = getattr(response, "status_code", None)
    assert code == status, f"expected {status}, got {code}: {getattr(response, 'text', '')[:500]}"
    content_type = response.headers.get("Content-Type", "")
    assert content_type.startswith("application/problem+json"), content_type
    body = _json(response)
    assert body["status"] == status
    assert isinstance(body.get("title"), str) and body["title"]
    assert isinstance(body.get("detail"), str) and body["detail"]
    assert "Traceback" not in body["detail"]
    return body


def paged_records(store, question, params: dict, total: int, size: int, *, base_iri: str) -> list[dict]:
    """The records of a question's answer read page by page (``size`` rows from offset 0 to
    ``total``), each page's ``truncated`` flag checked against ``total``."""
    records: list[dict] = []
    for offset in range(0, total, size):
        page = run_question(store, question, {**params, "limit": str(size), "offset": str(offset)},
                            base_iri=base_iri)
        assert page.truncated == (offset + size < total), (offset, size)
        records.extend(page.records())
    return records
