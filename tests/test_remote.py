"""Klaster on two real SPARQL servers: Oxigraph server and OpenLink Virtuoso 7.

Each server is started once per session on free loopback ports and seeded with ``klaster init``
(the real seed: ontology, the 734k-triple reference graph, sample data, inferences). Every canned
question must answer as on the embedded store (the session ``seeded_store``) with the same data.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

import servers
from helpers import ADMIN_TOKEN, assert_problem

from kg.auth import Principal
from kg.cli import main as klaster_main
from kg.errors import StoreError
from kg.questions import load_questions, run_question
from kg.settings import Settings
from kg.store import EmbeddedStore, open_store
from kg import submissions as subs

BASE = "https://w3id.org/klaster/id/"
TIMINGS: dict[str, float] = {}
#: Columns made by GROUP_CONCAT, whose item order SPARQL leaves to the server.
CONCATENATED = {"shared_items", "shared_item_iris", "industry_codes", "products"}


@dataclass(frozen=True)
class Remote:
    kind: str
    endpoint: servers.Endpoint
    settings: Settings
    env: dict[str, str]


def _env(endpoint: servers.Endpoint) -> dict[str, str]:
    env = {"KLASTER_STORE": endpoint.query_url}
    if endpoint.update_url:
        env["KLASTER_UPDATE_ENDPOINT"] = endpoint.update_url
    if endpoint.user:
        env["KLASTER_STORE_USER"] = endpoint.user
        env["KLASTER_STORE_PASSWORD"] = endpoint.password or ""
    return env


def _server(kind: str, directory: Path):
    if kind == "oxigraph":
        if servers.oxigraph_binary() is None:
            pytest.skip("oxigraph server not installed (pip install oxigraph)")
        return servers.oxigraph_server(directory)
    if servers.virtuoso_binary() is None or servers.isql_binary() is None:
        pytest.skip("Virtuoso not installed (apt-get install -y virtuoso-opensource)")
    return servers.virtuoso_server(directory)


@pytest.fixture(scope="session", params=["oxigraph", "virtuoso"])
def remote(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Remote]:
    """A real server seeded by ``klaster init`` (once per session per server)."""
    kind = request.param
    with _server(kind, tmp_path_factory.mktemp(kind) / "db") as endpoint:
        env = _env(endpoint)
        with pytest.MonkeyPatch.context() as patch:
            for key, value in env.items():
                patch.setenv(key, value)
            started = time.perf_counter()
            assert klaster_main(["init"]) == 0
            TIMINGS[f"{kind} init"] = time.perf_counter() - started
        settings = Settings(store=endpoint.query_url, update_endpoint=endpoint.update_url,
                            store_user=endpoint.user, store_password=endpoint.password,
                            admin_token=ADMIN_TOKEN, query_timeout=60.0, max_rows=1000,
                            auth_db=str(tmp_path_factory.mktemp(kind + "-auth") / "auth.sqlite"))
        yield Remote(kind, endpoint, settings, env)
        # the measured timings, for the benchmark notes (not a check)
        path = Path(os.environ.get("KLASTER_REMOTE_TIMINGS", "/tmp/klaster-remote-timings.json"))
        with contextlib.suppress(OSError):
            path.write_text(json.dumps(TIMINGS, indent=1))


#: What does not work on Virtuoso 7.2 yet (see the issue 7 report and the portable forms in the
#: README): queries that stop in Virtuoso's SQL compiler ("SQ156 Internal Optimized compiler
#: error: Bad dfe in sqlo_place_exp": a COALESCE/IF over an aggregate), integer division, and
#: SAMPLE picking another of several values (linkages).
VIRTUOSO_GAP = "known Virtuoso 7.2 gap (SQ156 / integer division / SAMPLE) — see issue 7"

#: The canned questions whose answers on Virtuoso 7.2 equal the embedded store's today.
VIRTUOSO_WORKING = {"corridor", "financing-partners", "interventions", "linkages", "oversupply-risk",
                    "search", "sentra-in-region", "skill-partners", "specialisation",
                    "supply-partners", "technology-partners", "unreached-specialised"}

#: Every canned question, by file name (the parametrisation below; read when the tests are collected).
QUESTION_NAMES = sorted(p.stem for p in (Path(__file__).parent.parent / "queries").glob("*.rq"))


def _known_gap(remote: Remote, request: pytest.FixtureRequest) -> None:
    """On Virtuoso the test still runs in full, as a strict expected failure: when the gap is
    closed, the test passes and pytest reports it, so the marker is removed."""
    if remote.kind == "virtuoso":
        request.applymarker(pytest.mark.xfail(reason=VIRTUOSO_GAP, strict=True))


def _open(remote: Remote, **options: object):
    return open_store(remote.settings.store, settings=remote.settings, **options)


# -- answers equal the embedded store's --------------------------------------------------------------
def _normal(column: str, value: object) -> object:
    if isinstance(value, bool):
        return int(value)  # Virtuoso returns SPARQL booleans as 0/1 integers
    if isinstance(value, float):
        return float(f"{value:.9g}")  # decimal division precision differs between servers
    if column in CONCATENATED and isinstance(value, str):
        separator = "; " if "; " in value or column != "shared_item_iris" else " "
        return tuple(sorted(value.split(separator)))
    return value


def _table(store, question, params) -> list[tuple]:
    table = run_question(store, question, params, base_iri=BASE, max_rows=100_000)
    return sorted((tuple(_normal(c, v) for c, v in zip(table.columns, row)) for row in table.rows),
                  key=repr)


#: Golden cases not replayed on the servers (none since corridor's kinds became a UNION of
#: sub-selects: karisma-pawirogo had run > 10 min on Virtuoso 7.2 with a VALUES of predicates).
GOLDEN_CASES_LEFT_OUT: set[str] = set()


def _cases(question) -> list[dict[str, object]]:
    """The example call and parameters, then the parameters of the question's golden cases
    (tests/golden/*.json: the filters and years the examples leave out)."""
    calls = [question.example_call(), {**question.example_params()}]
    for path in sorted((Path(__file__).parent / "golden").glob(question.name + "*.json")):
        if path.stem in GOLDEN_CASES_LEFT_OUT:
            continue
        recorded = json.loads(path.read_text(encoding="utf-8"))
        if recorded.get("query") == question.name:
            calls.append({**recorded["params"]})
    for call in calls:
        call["limit"] = 1000
        call.pop("offset", None)
        call.pop("page", None)
    return calls


@pytest.mark.parametrize("name", QUESTION_NAMES)
def test_question_answers_as_on_the_embedded_store(remote: Remote, seeded_store: Path, name: str,
                                                   request: pytest.FixtureRequest) -> None:
    """Each canned question, with its example call and its example parameters, answers as on the
    embedded store. On Virtuoso the questions outside VIRTUOSO_WORKING are strict expected
    failures: when a query is made portable, the test passes and pytest says so."""
    if name not in VIRTUOSO_WORKING:
        _known_gap(remote, request)
    question = load_questions(base_iri=BASE)[name]
    embedded = EmbeddedStore(seeded_store, read_only=True)
    store = _open(remote)
    try:
        for params in _cases(question):
            expected = _table(embedded, question, params)
            started = time.perf_counter()
            got = _table(store, question, params)
            TIMINGS[f"{remote.kind} {name} {sorted(params)}"] = time.perf_counter() - started
            assert got == expected, f"{name} {params} differs on {remote.kind}"
    finally:
        embedded.close()


def test_validation_context_equals_the_embedded_store(remote: Remote, seeded_store: Path) -> None:
    """The context a submission's validation reads from the store (region levels and their
    superclasses through a property path, KBLI codes, referenced sentra, identifiers in use) is
    the same on the server as on the embedded store; Virtuoso needs the path's start bound."""
    from kg.validate import context_triples, read_submission

    data = _submission("uji-konteks") + (
        "<sentra/uji-konteks-2> a <https://w3id.org/klaster/ontology#Sentra> ;\n"
        "  <https://w3id.org/klaster/ontology#locatedIn> <wilayah/35.15.18> , <wilayah/33.12> ;\n"
        "  <https://w3id.org/klaster/ontology#memberOfSentra> <sentra/tanggulangin> .\n"
        "<sentra/wedoro> a <https://w3id.org/klaster/ontology#Sentra> .\n").encode()
    submission = read_submission(data, filename="uji.ttl", media_type="text/turtle", base_iri=BASE)
    embedded = EmbeddedStore(seeded_store, read_only=True)
    try:
        expected = {str(t) for t in context_triples(embedded, submission, base_iri=BASE)}
    finally:
        embedded.close()
    got = {str(t) for t in context_triples(_open(remote), submission, base_iri=BASE)}
    assert got == expected
    levels = {t for t in expected if "22-rdf-syntax-ns#type" in t and "wilayah/33.12>" in t}
    assert len(levels) >= 3  # the regency's level class and its superclasses from the path


def test_variables_differing_only_in_case_stay_apart(remote: Remote) -> None:
    """Virtuoso makes ?a and ?A one SQL column in an ordered query; the store renames them apart
    and gives the answer's columns their names back."""
    from kg.remote import case_distinct

    text, renamed = case_distinct('SELECT ?x_ir ?x_iR WHERE { BIND(1 AS ?x_ir) '
                                  'BIND("?x_IR" AS ?x_iR) } # ?X_IR')
    assert renamed == {"x_ir_1": "x_ir"} and '"?x_IR"' in text and "# ?X_IR" in text
    result = _open(remote).query("SELECT ?a ?A ?n WHERE { VALUES (?a ?A) { (1 2) } "
                                 "{ SELECT (COUNT(*) AS ?n) WHERE { ?s a kl:Sentra } } } ORDER BY ?a",
                                 prefixes={"kl": "https://w3id.org/klaster/ontology#"})
    assert [v.value for v in result.variables] == ["a", "A", "n"]
    rows = [(r["a"].value, r["A"].value) for r in result]
    assert rows == [("1", "2")]


def test_seeded_graphs_match_the_embedded_store(remote: Remote, seeded_store: Path) -> None:
    embedded = EmbeddedStore(seeded_store, read_only=True)
    store = _open(remote)
    try:
        assert store.graphs() == embedded.graphs()
        for graph in embedded.graphs():
            assert store.count(graph) == embedded.count(graph), graph
    finally:
        embedded.close()


# -- the command line ---------------------------------------------------------------------------------
def test_cli_query_and_ask(remote: Remote, capsys: pytest.CaptureFixture[str],
                           monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in remote.env.items():
        monkeypatch.setenv(key, value)
    assert klaster_main(["query", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s a kl:Sentra }",
                         "--format", "json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert int(answer["results"]["bindings"][0]["n"]["value"]) > 20
    assert klaster_main(["ask", "sentra-in-region", "--param", "region=35.15",
                         "--format", "csv"]) == 0
    assert "wedoro" in capsys.readouterr().out.lower()
    assert klaster_main(["query", "-e", "SELECT ?x WHERE { ?x ?y }"]) == 2  # syntax error
    assert "klaster:" in capsys.readouterr().err


def test_cli_load_and_export_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch, remote: Remote) -> None:
    """On a fresh, empty server of the same kind: restoring a dump and exporting it again gives an
    isomorphic dataset."""
    dump = tmp_path / "in.nq"
    dump.write_text(
        '<https://w3id.org/klaster/id/sentra/x> <http://www.w3.org/2000/01/rdf-schema#label> '
        '"Sentra \\"X\\"\\n"@id <https://w3id.org/klaster/id/graph/a> .\n'
        '<https://w3id.org/klaster/id/sentra/x> <https://w3id.org/klaster/ontology#unitCount> '
        '"12"^^<http://www.w3.org/2001/XMLSchema#integer> <https://w3id.org/klaster/id/graph/b> .\n')
    with _server(remote.kind, tmp_path / "db") as endpoint:
        for key, value in _env(endpoint).items():
            monkeypatch.setenv(key, value)
        assert klaster_main(["load", str(dump)]) == 0  # a dump into an empty store: no seeding
        store = open_store(endpoint.query_url, update_url=endpoint.update_url,
                           user=endpoint.user, password=endpoint.password)
        out = tmp_path / "out.nq"
        with out.open("wb") as handle:  # `klaster export` would seed this unseeded store first
            store.dump(handle, format=ox.RdfFormat.N_QUADS)
        assert store.count(all_graphs=True) == 2
    exported = {str(q) for q in ox.parse(out.read_bytes(), format=ox.RdfFormat.N_QUADS)}
    assert exported == {str(q) for q in ox.parse(dump.read_bytes(), format=ox.RdfFormat.N_QUADS)}


# -- the service ----------------------------------------------------------------------------------------
@pytest.fixture
def remote_client(remote: Remote):
    from service import create_app

    app = create_app(remote.settings, store=_open(remote))
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["klaster"].close()


def test_sparql_endpoint_on_a_remote_store(remote_client, remote: Remote) -> None:
    query = "SELECT ?s WHERE { ?s a <https://w3id.org/klaster/ontology#Sentra> } ORDER BY ?s"
    response = remote_client.get("/sparql", query_string={"query": query},
                                 headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    assert len(response.get_json()["results"]["bindings"]) > 20
    # the row cap (max_rows=1000) cuts long answers and says so
    response = remote_client.get("/sparql", query_string={
        "query": "SELECT ?r WHERE { ?r a <https://w3id.org/klaster/ontology#Village> }"},
        headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["X-Klaster-Truncated"] == "true"
    assert response.text.count("\n") == 1001
    # a syntax error is 400 problem+json, with the parser's message
    assert_problem(remote_client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x }"}), 400)
    # CONSTRUCT in Turtle
    response = remote_client.get("/sparql", query_string={
        "query": "CONSTRUCT WHERE { <https://w3id.org/klaster/id/sentra/wedoro> ?p ?o }"},
        headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and b"Wedoro" in response.data
    # updates need the admin token; with it they reach the server
    update = ("INSERT DATA { GRAPH <https://w3id.org/klaster/id/graph/scratch> "
              "{ <urn:x:a> <urn:x:p> \"v\" } }")
    assert_problem(remote_client.post("/sparql", data={"update": update}), 401)
    response = remote_client.post("/sparql", data={"update": update},
                                  headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code in (200, 204), response.text
    response = remote_client.get("/sparql", query_string={"query": "ASK { <urn:x:a> <urn:x:p> \"v\" }"},
                                 headers={"Accept": "application/sparql-results+json"})
    assert response.get_json()["boolean"] is True
    _open(remote).drop_graph("https://w3id.org/klaster/id/graph/scratch")


def test_partner_question_through_run_question(remote: Remote, seeded_store: Path,
                                               request: pytest.FixtureRequest) -> None:
    """Wedoro's technology partners equal the embedded store's."""
    if "technology-partners" not in VIRTUOSO_WORKING:
        _known_gap(remote, request)
    questions = load_questions(base_iri=BASE)
    embedded = EmbeddedStore(seeded_store, read_only=True)
    store = _open(remote)
    try:
        question = questions["technology-partners"]
        params = question.example_call()
        assert _table(store, question, params) == _table(embedded, question, params)
    finally:
        embedded.close()


def test_question_api_on_a_remote_store(remote_client, remote: Remote,
                                        request: pytest.FixtureRequest) -> None:
    if "technology-partners" not in VIRTUOSO_WORKING:
        _known_gap(remote, request)
    response = remote_client.get("/api/technology-partners",
                                 query_string={"sentra": "id:sentra/wedoro"})
    assert response.status_code == 200, response.text
    rows = response.get_json()["rows"]
    assert rows and rows[0]["partner"].startswith(BASE + "sentra/")
    # a hostile value is a literal, never query text
    response = remote_client.get("/api/search", query_string={"q": 'x" } } ; DROP ALL #'})
    assert response.status_code == 200
    assert response.get_json()["rows"] == []


def test_linked_data_page_on_a_remote_store(remote_client) -> None:
    response = remote_client.get("/id/sentra/wedoro", headers={"Accept": "text/turtle"})
    if response.status_code == 404 and b"no resource" not in response.data:
        pytest.skip("the /id/ pages are not installed in this checkout")
    assert response.status_code == 200, response.text
    assert b"Wedoro" in response.data


# -- atomic submissions: cut the connection mid-ingest ---------------------------------------------------
class CuttingProxy:
    """A TCP proxy between Klaster and the server that cuts every SPARQL update request (the one
    carrying ``update=`` and, when ``authenticated``, an Authorization header) after forwarding
    its headers and the first bytes of its body."""

    def __init__(self, target_port: int, *, authenticated: bool) -> None:
        self.target = ("127.0.0.1", target_port)
        self.authenticated = authenticated
        self.cut = 0
        self.armed = True
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._pipe, args=(client,), daemon=True).start()

    def _pipe(self, client: socket.socket) -> None:
        upstream = socket.create_connection(self.target)
        done = threading.Event()

        def back() -> None:
            with contextlib.suppress(OSError):
                while data := upstream.recv(65536):
                    client.sendall(data)
            done.set()
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_WR)

        threading.Thread(target=back, daemon=True).start()
        buffered = b""
        decided = False
        try:
            while data := client.recv(65536):
                if decided:
                    upstream.sendall(data)
                    continue
                buffered += data
                head, found, body = buffered.partition(b"\r\n\r\n")
                if not found or len(body) < min(64, _length(head)):
                    continue
                decided = True
                authorised = not self.authenticated or b"\nauthorization:" in head.lower()
                if self.armed and body.startswith(b"update=") and authorised:
                    upstream.sendall(buffered[: len(head) + 4 + len(body) // 2])
                    self.cut += 1
                    break  # cut: close both sides mid-request
                upstream.sendall(buffered)
        except OSError:
            pass
        for sock in (client, upstream):
            with contextlib.suppress(OSError):
                sock.close()

    def close(self) -> None:
        self._listener.close()


def _length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


def _submission(slug: str) -> bytes:
    return (f"""@prefix kl: <https://w3id.org/klaster/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<sentra/{slug}> a kl:Sentra ;
    rdfs:label "Sentra Uji {slug}"@id ;
    dcterms:identifier "{slug}" ;
    kl:locatedIn <wilayah/35.15.18.2013> ;
    kl:industryCode <kbli/2020/15201> ;
    kl:produces <{BASE}produk/sepatu> ;
    kl:isIllustrative true .
""").encode()


def test_submission_cut_mid_ingest_leaves_nothing(remote: Remote) -> None:
    port = int(remote.endpoint.query_url.split(":")[2].split("/")[0])
    proxy = CuttingProxy(port, authenticated=remote.endpoint.user is not None)
    direct = _open(remote)
    via_proxy = open_store(remote.settings.store.replace(f":{port}/", f":{proxy.port}/"),
                           settings=remote.settings.replace(update_endpoint=(
                               remote.settings.update_endpoint or "").replace(
                               f":{port}/", f":{proxy.port}/") or None))
    steward = Principal("dinas-uji", "steward")
    slug = f"uji-putus-{remote.kind}"
    subject = f"<{BASE}sentra/{slug}>"
    try:
        graphs = direct.graphs()
        before = len(subs.list_submissions(direct, base_iri=BASE))
        with pytest.raises(StoreError) as caught:
            subs.submit(via_proxy, remote.settings, _submission(slug), principal=steward,
                        filename="uji.ttl", media_type="text/turtle")
        assert proxy.cut >= 1, "the proxy never saw the update"
        assert "nothing was written" in caught.value.detail
        # nothing behind: no graph, no record, no triple about the sentra
        assert direct.graphs() == graphs
        assert len(subs.list_submissions(direct, base_iri=BASE)) == before
        assert direct.query(f"ASK {{ {subject} ?p ?o }}").__bool__() is False
        # the same submission goes through once the connection holds
        proxy.armed = False
        outcome = subs.submit(via_proxy, remote.settings, _submission(slug), principal=steward,
                              filename="uji.ttl", media_type="text/turtle")
        assert outcome.accepted and outcome.record is not None
        assert bool(direct.query(f"ASK {{ {subject} ?p ?o }}"))
        subs.withdraw(direct, remote.settings, outcome.record.id, principal=steward)
        assert not bool(direct.query(f"ASK {{ {subject} ?p ?o }}"))
    finally:
        proxy.close()


def test_submission_replace_and_withdraw(remote: Remote) -> None:
    """A submission replaced, then withdrawn, on the server: the replacement's data is what the
    store holds, and nothing of either is left after the withdrawal."""
    store = _open(remote)
    steward = Principal("dinas-uji", "steward")
    slug = f"uji-ganti-{remote.kind}"
    subject = f"<{BASE}sentra/{slug}>"
    first = subs.submit(store, remote.settings, _submission(slug), principal=steward,
                        filename="uji.ttl", media_type="text/turtle")
    assert first.accepted and first.record is not None
    renamed = _submission(slug).replace(f'"Sentra Uji {slug}"@id'.encode(), b'"Sentra Uji Baru"@id')
    second = subs.submit(store, remote.settings, renamed, principal=steward, filename="uji.ttl",
                         media_type="text/turtle", replaces=first.record.id)
    assert second.accepted and second.record is not None
    labels = {r["l"].value for r in store.query(
        f"SELECT ?l WHERE {{ {subject} <http://www.w3.org/2000/01/rdf-schema#label> ?l }}")}
    assert labels == {"Sentra Uji Baru"}
    statuses = {r.id: r.status for r in subs.list_submissions(store, base_iri=BASE)}
    assert statuses[first.record.id] == "replaced" and statuses[second.record.id] == "active"
    subs.withdraw(store, remote.settings, second.record.id, principal=steward)
    assert not bool(store.query(f"ASK {{ {subject} ?p ?o }}"))


def test_retries_then_reports_an_unreachable_store() -> None:
    from kg import remote as remote_module

    port = servers.free_port()  # nothing listens here
    store = remote_module.RemoteStore(f"http://127.0.0.1:{port}/query", retries=3)
    started = time.perf_counter()
    with pytest.raises(StoreError) as caught:
        store.query("ASK {}")
    assert "tried 3 times" in caught.value.detail
    # back-off 0.25 s then 0.5 s: bounded, not instant, not long
    assert 0.7 <= time.perf_counter() - started < 10
