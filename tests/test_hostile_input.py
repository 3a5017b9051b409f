"""Hostile input: each gets a clear 4xx and leaves the store exactly as it was.

In-process (Flask test client over an in-memory store) for the parsers, and against a real
``klaster serve`` for what only the WSGI server sees (a 1 GB body, chunked bodies, huge headers).
"""

from __future__ import annotations

import hashlib
import io
import socket
import sys
import threading
import time
import zipfile

import pytest

from helpers import ADMIN_TOKEN, assert_problem, free_port, running_process

from kg.csv_safety import neutralise, neutralise_csv
from kg.rdf_limits import MAX_DEPTH

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
GRAPH = "https://w3id.org/klaster/id/graph/hostile"
TURTLE = "text/turtle"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"

MALFORMED_TURTLE = b"@prefix kl: <https://w3id.org/klaster/ontology#> .\n<a> kl:p \"unterminated ;\n"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
 <rdf:Description rdf:about="http://example.org/s"><ex:p>&lol9;</ex:p></rdf:Description>
</rdf:RDF>
"""

#: One entity referenced many times: linear, but still far more text than the body.
WIDE_ENTITY = (b'<?xml version="1.0"?>\n<!DOCTYPE r [ <!ENTITY big "' + b"x" * 10_000 + b'"> ]>\n'
               b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
               b'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/s">'
               + b"<ex:p>&big;</ex:p>" * 200 + b"</rdf:Description></rdf:RDF>")

#: A nesting depth that crashes pyoxigraph's JSON-LD parser (segfault) when it is not refused.
DEEP = 20_000
DEEP_JSONLD = (b'{"@id": "http://example.org/x", "http://example.org/p": '
               + b'{"http://example.org/p": ' * DEEP + b'"v"' + b"}" * DEEP + b"}")
DEEP_RDFXML = (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
               b'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/s">'
               + b"<ex:p><rdf:Description>" * DEEP + b"</rdf:Description></ex:p>" * DEEP
               + b"</rdf:Description></rdf:RDF>")


# -- fixtures ----------------------------------------------------------------------------------------
@pytest.fixture
def steward(app) -> dict[str, str]:
    registry = app.extensions["klaster"].auth
    return {"Authorization": f"Bearer {registry.create('dinas-hostile', 'steward').token}"}


def fingerprint(app) -> str:
    store = app.extensions["klaster"].store
    lines = sorted(str(q) for q in store.quads(all_graphs=True))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def write_paths(client, steward, body: bytes, media_type: str):
    """POST the body to every path that parses RDF: /validate, /submissions, PUT and POST /data."""
    headers = {"Content-Type": media_type}
    yield "/validate", client.post("/validate", data=body, headers=headers)
    yield "/submissions", client.post("/submissions", data=body, headers={**headers, **steward})
    yield "PUT /data", client.put(f"/data?graph={GRAPH}", data=body, headers={**headers, **ADMIN})
    yield "POST /data", client.post(f"/data?graph={GRAPH}", data=body, headers={**headers, **ADMIN})


def assert_refused_everywhere(app, client, steward, body: bytes, media_type: str,
                              *, words: tuple[str, ...] = ()) -> None:
    before = fingerprint(app)
    for path, response in write_paths(client, steward, body, media_type):
        assert 400 <= response.status_code < 500, (path, response.status_code, response.data[:300])
        problem = assert_problem(response, response.status_code)
        for word in words:
            assert word in problem["detail"], (path, problem["detail"])
    assert fingerprint(app) == before


# -- RDF parsers ---------------------------------------------------------------------------------------
def test_malformed_turtle(app, client, steward) -> None:
    assert_refused_everywhere(app, client, steward, MALFORMED_TURTLE, TURTLE)


def test_non_utf8_bodies(app, client, steward) -> None:
    latin1 = "<http://example.org/s> <http://example.org/p> \"caf\xe9\" .\n".encode("latin-1")
    assert_refused_everywhere(app, client, steward, latin1, TURTLE)
    before = fingerprint(app)
    query = "SELECT * WHERE { ?s ?p \"caf\xe9\" }".encode("latin-1")
    assert_problem(client.post("/sparql", data=query,
                               headers={"Content-Type": "application/sparql-query"}), 400)
    update = "INSERT DATA { <urn:a> <urn:b> \"caf\xe9\" }".encode("latin-1")
    assert_problem(client.post("/sparql", data=update,
                               headers={"Content-Type": "application/sparql-update", **ADMIN}), 400)
    assert_problem(client.post("/sparql", data=update, headers={
        "Content-Type": "application/sparql-update; charset=latin-1", **ADMIN}), 415)
    assert fingerprint(app) == before


class _Listener:
    """A TCP socket the test owns: records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def test_jsonld_remote_context_is_never_fetched(app, client, steward) -> None:
    listener = _Listener()
    try:
        body = (b'{"@context": "http://127.0.0.1:%d/context.jsonld", '
                b'"@id": "https://w3id.org/klaster/id/sentra/x", "label": "x"}' % listener.port)
        nested = (b'{"@context": ["http://127.0.0.1:%d/a.jsonld", {"@import": '
                  b'"http://127.0.0.1:%d/b.jsonld"}], "@id": "urn:x", "label": "x"}'
                  % (listener.port, listener.port))
        for document in (body, nested):
            assert_refused_everywhere(app, client, steward, document, JSONLD)
        time.sleep(0.3)
        assert listener.connections == 0, "the server fetched a remote JSON-LD context"
    finally:
        listener.close()


def test_billion_laughs_is_refused_quickly(app, client, steward) -> None:
    started = time.monotonic()
    assert_refused_everywhere(app, client, steward, BILLION_LAUGHS, RDFXML, words=("entit",))
    assert_refused_everywhere(app, client, steward, WIDE_ENTITY, RDFXML, words=("expand",))
    assert time.monotonic() - started < 5


def test_simple_entities_as_owl_files_use_them_still_work(app, client) -> None:
    body = (b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY ex "http://example.org/"> ]>\n'
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            b'<rdf:Description rdf:about="&ex;s"><rdf:type rdf:resource="&ex;C"/>'
            b'</rdf:Description></rdf:RDF>')
    response = client.put(f"/data?graph={GRAPH}", data=body,
                          headers={"Content-Type": RDFXML, **ADMIN})
    assert response.status_code == 201
    assert app.extensions["klaster"].store.count(GRAPH) == 1


@pytest.mark.parametrize("body,media_type", [(DEEP_JSONLD, JSONLD), (DEEP_RDFXML, RDFXML)],
                         ids=["json-ld", "rdf-xml"])
def test_deeply_nested_documents(app, client, steward, body: bytes, media_type: str) -> None:
    # Without the depth limit pyoxigraph's JSON-LD parser overflows its stack and kills the whole
    # server process (this test process), and RDF/XML takes quadratic time.
    started = time.monotonic()
    assert_refused_everywhere(app, client, steward, body, media_type, words=(str(MAX_DEPTH),))
    assert time.monotonic() - started < 10


def test_deeply_nested_json_parameters_and_bodies_elsewhere(client) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    response = client.get("/api/search", query_string={"q": deep})
    assert_problem(response, 400)
    assert client.post("/sparql", data={"query": deep}).status_code == 413  # form limit
    # 10 000 nested groups (20 KB) crash pyoxigraph's SPARQL parser when they reach it
    query = "SELECT * WHERE " + "{" * 10_000 + "}" * 10_000
    assert "nests" in assert_problem(client.post("/sparql", data={"query": query}), 400)["detail"]
    update = "INSERT { <urn:a> <urn:b> <urn:c> } WHERE " + "{" * 10_000 + "}" * 10_000
    response = client.post("/sparql", data={"update": update}, headers=ADMIN)
    assert "nests" in assert_problem(response, 400)["detail"]


def _zip_bomb(unpacked_mib: int = 512) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1 << 20)
            for _ in range(unpacked_mib * (1 << 20) // len(chunk)):
                part.write(chunk)
    return buffer.getvalue()


def test_xlsx_zip_bomb(app, client, steward) -> None:
    bomb = _zip_bomb()
    assert len(bomb) < 1024 * 1024  # under the 1 MiB body limit, and would unpack to 512 MiB
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    before = fingerprint(app)
    started = time.monotonic()
    for path, headers in (("/validate", {}), ("/submissions", steward)):
        response = client.post(path, data=bomb, headers={"Content-Type": media, **headers},
                               query_string={"filename": "bomb.xlsx"})
        problem = assert_problem(response, 400)
        assert "unpack" in problem["detail"]
    assert time.monotonic() - started < 5
    assert fingerprint(app) == before


# -- what we export ------------------------------------------------------------------------------------
FORMULAS = ["=HYPERLINK(\"http://evil.example/\",\"click\")", "+1+cmd|' /C calc'!A0",
            "-2+3", "@SUM(A1:A2)", "\t=1+1"]


def test_formula_cells_are_neutralised_in_every_csv_we_write(app, client) -> None:
    lines = "\n".join(
        f'<https://w3id.org/klaster/id/sentra/f{i}> a <https://w3id.org/klaster/ontology#Sentra> ; '
        f'<http://www.w3.org/2000/01/rdf-schema#label> "{text.replace(chr(34), chr(92) + chr(34))}'
        f' sentra" .'.replace("\t", "\\t") for i, text in enumerate(FORMULAS))
    lines += '\n<urn:n> <urn:v> "-7.35" .'
    response = client.post(f"/data?graph={GRAPH}", data=lines.encode(),
                           headers={"Content-Type": TURTLE, **ADMIN})
    assert response.status_code in (201, 204), response.data
    # /data writes no inferences: add the search keys that reasoning would add for these labels
    import pyoxigraph as ox
    from kg import search_index
    keys = search_index.key_triples((ox.NamedNode(f"https://w3id.org/klaster/id/sentra/f{i}"),
                                     f"{text} sentra") for i, text in enumerate(FORMULAS))
    response = client.post(f"/data?graph={GRAPH}-keys",
                           data=ox.serialize(keys, format=ox.RdfFormat.N_TRIPLES),
                           headers={"Content-Type": "application/n-triples", **ADMIN})
    assert response.status_code in (201, 204), response.data
    # SPARQL text/csv results
    response = client.get("/sparql", query_string={
        "query": f"SELECT ?label WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?label FILTER isLiteral(?label) }} }}"},
        headers={"Accept": "text/csv"})
    assert response.status_code == 200
    import csv
    cells = [row[0] for row in csv.reader(io.StringIO(response.get_data(as_text=True)))][1:]
    assert len(cells) == len(FORMULAS) + 1
    for cell in cells:
        assert cell == "-7.35" or cell.startswith("'"), cell
    # a canned question's CSV
    response = client.get("/api/search", query_string={"q": "sentra", "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    label_column = rows[0].index("label")
    labels = [row[label_column] for row in rows[1:]]
    assert any(label.startswith("'=HYPERLINK") for label in labels), labels
    assert not any(label[:1] in "=+-@\t" for label in labels), labels


@pytest.mark.parametrize("cell,expected", [
    ("=1+1", "'=1+1"), ("+62 812", "'+62 812"), ("-cmd", "'-cmd"), ("@x", "'@x"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-7.3536", "-7.3536"), ("+62", "+62"), ("-1e3", "-1e3"),
    ("plain", "plain"), ("", ""), ("a=b", "a=b")])
def test_neutralise(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected


def test_neutralise_csv_keeps_clean_bytes_and_quotes_formulas() -> None:
    clean = b"a,b\r\n1,-2\r\n\"x, y\",z\r\n"
    assert neutralise_csv(clean) is clean
    assert neutralise_csv(b"a\r\n\"=1,2\"\r\n") == b"a\r\n\"'=1,2\"\r\n"


# -- paths ---------------------------------------------------------------------------------------------
TRAVERSALS = ["../../../../etc/passwd", "..%2f..%2f..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/setup.cfg",
              "%2e%2e%2f%2e%2e%2fsetup.cfg", "/etc/passwd", "%2fetc%2fpasswd", "....//....//etc/passwd",
              "..\\..\\setup.cfg", "%252e%252e%252fsetup.cfg"]


@pytest.mark.parametrize("prefix", ["/templates/", "/id/"])
@pytest.mark.parametrize("attack", TRAVERSALS)
@pytest.mark.parametrize("suffix", ["", ".csv", ".xlsx", ".csv-metadata.json"])
def test_path_traversal(client, prefix: str, attack: str, suffix: str) -> None:
    response = client.get(prefix + attack + suffix)
    assert 400 <= response.status_code < 500 or response.status_code in (301, 308), response.status_code
    body = response.get_data()
    assert b"root:" not in body and b"[metadata]" not in body and b"[options]" not in body


# -- the real server: bodies and headers waitress sees first ------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory, seeded_store):
    from kg.store import EmbeddedStore

    path = tmp_path_factory.mktemp("hostile") / "store"
    source = EmbeddedStore(seeded_store, read_only=True)
    source.backup(path)
    source.close()
    port = free_port()
    env = {"KLASTER_ADMIN_TOKEN": ADMIN_TOKEN, "KLASTER_MAX_BODY": str(1024 * 1024),
           "KLASTER_QUERY_WORKERS": "1"}
    with running_process([sys.executable, "-m", "kg.cli", "serve", "--store", str(path),
                          "--port", str(port)], port, env=env, timeout=120) as process:
        yield port, process


def _raw(port: int, head: bytes, body_chunks=(), *, timeout: float = 10.0) -> tuple[bytes, int]:
    """Send a request head and then body chunks until the server answers; (response, bytes sent)."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head)
        sock.setblocking(False)
        response = b""
        for chunk in body_chunks:
            try:
                response += sock.recv(65536)
            except BlockingIOError:
                pass
            if response:
                break
            try:
                sock.setblocking(True)
                sock.settimeout(timeout)
                sock.sendall(chunk)
                sent += len(chunk)
                sock.setblocking(False)
            except (BrokenPipeError, ConnectionResetError):
                break
        sock.setblocking(True)
        sock.settimeout(timeout)
        try:
            while b"\r\n\r\n" not in response:
                data = sock.recv(65536)
                if not data:
                    break
                response += data
        except (ConnectionResetError, socket.timeout):
            pass
    return response, sent


def _one_gigabyte(chunk_size: int = 1 << 20):
    chunk = b"x" * chunk_size
    for _ in range((1 << 30) // chunk_size):
        yield chunk


def test_one_gigabyte_body_with_content_length_gets_413_at_once(server) -> None:
    port, _ = server
    for path in (b"/submissions", b"/validate", b"/sparql", b"/data?default"):
        started = time.monotonic()
        head = (b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Type: text/turtle\r\n"
                b"Authorization: Bearer " + ADMIN_TOKEN.encode() + b"\r\n"
                b"Content-Length: 1073741824\r\n\r\n")
        response, sent = _raw(port, head, _one_gigabyte())
        assert response.startswith(b"HTTP/1.1 413"), (path, response[:200])
        assert sent < 64 * 1024 * 1024, sent
        assert time.monotonic() - started < 5


def test_one_gigabyte_chunked_body_gets_413_without_reading_it_all(server) -> None:
    port, _ = server
    started = time.monotonic()
    head = (b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: text/turtle\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    chunks = (b"%x\r\n%s\r\n" % (len(c), c) for c in _one_gigabyte(64 * 1024))
    response, sent = _raw(port, head, chunks)
    assert response.startswith(b"HTTP/1.1 413"), response[:200]
    assert sent < 64 * 1024 * 1024, sent  # the limit is 1 MiB; far less than 1 GB was sent
    assert time.monotonic() - started < 10


def test_oversized_headers_are_refused(server) -> None:
    port, _ = server
    head = (b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (200 * 1024) + b"\r\n\r\n")
    response, _ = _raw(port, head)
    status = response[9:12]
    assert status in (b"431", b"400"), response[:200]
    # and the server still answers
    response, _ = _raw(port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert response.startswith(b"HTTP/1.1 200"), response[:200]
