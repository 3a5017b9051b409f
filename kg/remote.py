"""A :class:`~kg.store.Store` on any SPARQL 1.1 server (Oxigraph server, Virtuoso, Fuseki…).

Queries and updates go through SPARQLWrapper (HTTP basic or digest credentials, a timeout, retries
on connection errors with a bounded exponential back-off). Answers are parsed back into pyoxigraph
objects (``parse_query_results`` for SELECT/ASK; ``pyoxigraph.parse`` for CONSTRUCT/DESCRIBE), so
callers see the same types as from the embedded store.

Klaster's dataset semantics on a server:

* **union default graph**: a query that names no dataset reads the union of all graphs. Oxigraph
  server gets its ``union-default-graph`` query parameter; Virtuoso's default graph already is the
  union of all graphs when none is named (its own system graphs are left out of :meth:`graphs`,
  :meth:`count` and :meth:`dump`).
* **bindings** are written into the query as RDF terms by :func:`kg.substitute.substitute` (the
  same semantics as pyoxigraph substitutions; a trailing ``VALUES`` would not be).
* **bulk writes** (:meth:`add`, :meth:`load`, :meth:`replace_graph`) use the SPARQL 1.1 Graph Store
  Protocol when the server offers it (Oxigraph ``/store``, Virtuoso ``/sparql-graph-crud[-auth]``),
  in chunks of :data:`CHUNK` triples, else chunked ``INSERT DATA``. :meth:`update` sends one request,
  which both servers apply as one transaction: a request cut off mid-way is never applied.
"""

from __future__ import annotations

import http.client
import io
import itertools
import json
import logging
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from SPARQLWrapper import BASIC, DIGEST, POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper import SPARQLExceptions as sw_errors

from kg.errors import QuerySyntaxError, QueryTimeout, StoreError
from kg.sparql_text import has_dataset_clause, mask
from kg.store import Progress, QueryResult, Store, Term, node
from kg.substitute import query_form, substitute

log = logging.getLogger(__name__)

#: Triples per Graph Store request or ``INSERT DATA`` when writing in bulk.
CHUNK = 100_000
#: Attempts for a request that fails to connect (the first try included).
RETRIES = 4
#: First back-off in seconds; it doubles up to :data:`MAX_BACKOFF`.
BACKOFF = 0.25
MAX_BACKOFF = 4.0

#: Graphs a fresh Virtuoso holds for itself; they are not part of Klaster's dataset.
VIRTUOSO_SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://www.w3.org/2002/07/owl#",
    "http://localuriqaserver/sparql",
)

#: Virtuoso error codes of its own internal failures on valid SPARQL (SQ156 "Internal Optimized
#: compiler error", SQ155, SQI01 compiler loops): a store error, not a syntax error of the client.
_VIRTUOSO_INTERNAL = ("SQ155", "SQ156", "SQI01", "Internal Optimized compiler error")

_RESULTS_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"


class ConnectionLost(StoreError):
    """The connection broke after a write request was (perhaps partly) sent: whether the server
    applied it is unknown until it is asked."""

    title = "Store connection lost"


def _is_connect_error(exc: BaseException) -> bool:
    """True for failures where the request never reached the server (safe to retry any request)."""
    reason = getattr(exc, "reason", exc)
    return isinstance(reason, (ConnectionRefusedError, socket.gaierror))


def _is_connection_error(exc: BaseException) -> bool:
    reason = getattr(exc, "reason", exc)
    return isinstance(reason, (ConnectionError, http.client.HTTPException, OSError)) and \
        not isinstance(reason, (socket.timeout, TimeoutError))


def _is_timeout(exc: BaseException) -> bool:
    reason = getattr(exc, "reason", exc)
    return isinstance(reason, (socket.timeout, TimeoutError))


def _server_message(exc: BaseException) -> str:
    text = str(exc)
    marker = "Response:\n"
    if marker in text:
        text = text.split(marker, 1)[1]
    text = text.strip().replace("b'", "").strip("'")
    return " ".join(text.split())[:600]


class RemoteStore(Store):
    """A SPARQL 1.1 server behind the :class:`~kg.store.Store` interface."""

    def __init__(self, query_url: str, *, update_url: str | None = None, user: str | None = None,
                 password: str | None = None, timeout: float = 600.0,
                 retries: int = RETRIES) -> None:
        self.query_url = query_url
        self._update_url = update_url
        self.user = user
        self._password = password
        self.timeout = timeout
        self.retries = max(1, retries)
        self._flavour: str | None = None
        self._auth_scheme: str | None = None

    # -- server facts ---------------------------------------------------------------------------
    @property
    def flavour(self) -> str:
        """``oxigraph``, ``virtuoso`` or ``sparql`` (any other server), from its ``Server`` header."""
        if self._flavour is None:
            response = self._request(self.query_url, {"query": "ASK {}"},
                                     accept=_RESULTS_JSON, retry=True)
            server = (response.headers.get("Server") or "").lower()
            response.read()
            self._flavour = ("virtuoso" if "virtuoso" in server else
                             "oxigraph" if "oxigraph" in server else "sparql")
        return self._flavour

    @property
    def update_url(self) -> str:
        if self._update_url:
            return self._update_url
        if self.flavour == "oxigraph" and self.query_url.rstrip("/").endswith("/query"):
            return self.query_url.rstrip("/")[: -len("query")] + "update"
        return self.query_url

    @property
    def graph_store_url(self) -> str | None:
        """The Graph Store Protocol endpoint, when the server has a known one."""
        url = self.query_url.rstrip("/")
        if self.flavour == "oxigraph" and url.endswith("/query"):
            return url[: -len("query")] + "store"
        if self.flavour == "virtuoso" and url.endswith(("/sparql", "/sparql-auth")):
            return url.replace("/sparql", "/sparql-graph-crud", 1)
        return None

    # -- HTTP -----------------------------------------------------------------------------------
    def _opener(self, url: str) -> urllib.request.OpenerDirector:
        handlers: list[urllib.request.BaseHandler] = []
        if self.user is not None:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            manager.add_password(None, url, self.user, self._password or "")
            handlers += [urllib.request.HTTPDigestAuthHandler(manager),
                         urllib.request.HTTPBasicAuthHandler(manager)]
        return urllib.request.build_opener(*handlers)

    def _request(self, url: str, form: Mapping[str, object] | None = None, *,
                 body: bytes | None = None, content_type: str | None = None,
                 method: str = "POST", accept: str | None = None, retry: bool,
                 timeout: float | None = None) -> Any:
        """One HTTP request with retries on connection errors; returns the open response."""
        if form is not None:
            pairs = [(k, v) for k, vs in form.items()
                     for v in (vs if isinstance(vs, (list, tuple)) else [vs])]
            body = urllib.parse.urlencode(pairs).encode()
            content_type = "application/x-www-form-urlencoded"
        headers = {"User-Agent": "klaster"}
        if accept:
            headers["Accept"] = accept
        if content_type:
            headers["Content-Type"] = content_type

        def attempt() -> Any:
            request = urllib.request.Request(url, data=body, method=method, headers=headers)
            return self._opener(url).open(request, timeout=timeout or self.timeout)

        return self._with_retries(attempt, retry=retry, what=f"{method} {url}")

    def _with_retries(self, attempt, *, retry: bool, what: str) -> Any:
        delay = BACKOFF
        for number in range(1, self.retries + 1):
            try:
                return attempt()
            except urllib.error.HTTPError:
                raise
            except Exception as exc:  # noqa: BLE001 - classified below
                if isinstance(exc, sw_errors.SPARQLWrapperException) or _is_timeout(exc):
                    raise
                safe = _is_connect_error(exc) or (retry and _is_connection_error(exc))
                if not safe:
                    if _is_connection_error(exc):
                        raise ConnectionLost(f"the connection to the store broke during {what}: "
                                             f"{getattr(exc, 'reason', exc)}") from None
                    raise
                if number == self.retries:
                    raise StoreError(f"cannot reach the store at {self.query_url} "
                                     f"({getattr(exc, 'reason', exc)}); tried {number} times") from None
                log.warning("store request failed (%s); retrying in %.2f s", exc, delay)
                time.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF)
        raise AssertionError("unreachable")  # pragma: no cover

    def _wrapper(self, url: str, timeout: float | None) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(url)
        wrapper.setOnlyConneg(True)  # no format=… parameters: Virtuoso answers 406 to a mismatch
        wrapper.setMethod(POST)
        wrapper.setTimeout(int(max(1, round(timeout or self.timeout))))
        if self.user is not None:
            if self._auth_scheme is None:
                self._auth_scheme = DIGEST if self.flavour == "virtuoso" else BASIC
            wrapper.setHTTPAuth(self._auth_scheme)
            wrapper.setCredentials(self.user, self._password or "")
        return wrapper

    def _sparql(self, url: str, text: str, *, update: bool, params: Mapping[str, list[str]],
                accept: str | None, timeout: float | None) -> Any:
        wrapper = self._wrapper(url, timeout)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setQuery(text)
        if update:
            wrapper.queryType = "INSERT"  # SPARQLWrapper sends an update form field for these
            wrapper.setRequestMethod(URLENCODED)
        for key, values in params.items():
            for value in values:
                wrapper.addParameter(key, value)
        if accept:
            wrapper.addCustomHttpHeader("Accept", accept)
        try:
            result = self._with_retries(wrapper.query, retry=not update,
                                        what="an update" if update else "a query")
            return result.response
        except sw_errors.QueryBadFormed as exc:
            message = _server_message(exc)
            if any(code in message for code in _VIRTUOSO_INTERNAL):
                # the server's own compiler failed on a valid query: not the client's fault
                raise StoreError(f"the store could not run the query: {message}") from None
            raise QuerySyntaxError(f"the store rejected the {'update' if update else 'query'}: "
                                   f"{message}") from None
        except sw_errors.Unauthorized:
            raise StoreError("the store refused the credentials (set KLASTER_STORE_USER and "
                             "KLASTER_STORE_PASSWORD)") from None
        except sw_errors.EndPointNotFound:
            raise StoreError(f"no SPARQL endpoint at {url}") from None
        except sw_errors.SPARQLWrapperException as exc:
            message = _server_message(exc)
            if any(code in message for code in _VIRTUOSO_INTERNAL):
                # the server's own compiler failed on a valid query: not the client's fault
                raise StoreError(f"the store could not run the query: {message}") from None
            if any(code in message for code in ("SP030", "SP031", "37000", "SQ074", "SPAR")):
                raise QuerySyntaxError(f"the store rejected the query: {message}") from None
            if "S1T00" in message or "timeout" in message.lower():
                raise QueryTimeout(f"the store stopped the query: {message}") from None
            raise StoreError(f"the store failed: {message}") from None
        except urllib.error.HTTPError as exc:
            raise StoreError(f"the store answered {exc.code}: {exc.reason}") from None
        except ConnectionLost:
            raise
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - timeouts and transport failures
            if _is_timeout(exc):
                raise QueryTimeout(f"no answer from the store within {timeout or self.timeout:g} s"
                                   ) from None
            raise StoreError(f"store request failed: {exc}") from None

    # -- reading ----------------------------------------------------------------------------------
    def query(self, sparql: str, *, bindings: Mapping[str, Term] | None = None,
              default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None,
              prefixes: Mapping[str, str] | None = None,
              base_iri: str | None = None, timeout: float | None = None) -> QueryResult:
        text = _with_prologue(sparql, prefixes, base_iri)
        text = substitute(text, bindings)
        form = query_form(text)
        renamed: dict[str, str] = {}
        if self.flavour == "virtuoso":
            text, renamed = case_distinct(text)
        params: dict[str, list[str]] = {}
        if default_graphs is not None:
            params["default-graph-uri"] = [node(g).value for g in default_graphs]
            if not default_graphs and self.flavour == "virtuoso":
                # an empty default graph: name one that cannot hold anything
                params["default-graph-uri"] = ["urn:klaster:empty"]
        if named_graphs is not None:
            params["named-graph-uri"] = [node(g).value for g in named_graphs]
            if default_graphs is None:
                params["default-graph-uri"] = ["urn:klaster:empty"]
        if default_graphs is None and named_graphs is None and not has_dataset_clause(text) \
                and self.flavour == "oxigraph":
            params["union-default-graph"] = [""]
        if timeout and self.flavour == "virtuoso":
            params["timeout"] = [str(int(timeout * 1000))]
        accept = _NTRIPLES if form in ("CONSTRUCT", "DESCRIBE") else _RESULTS_JSON
        response = self._sparql(self.query_url, text, update=False, params=params, accept=accept,
                                timeout=timeout)
        if (response.headers.get("X-SQL-State") or "").startswith("S1TAT"):
            response.close()  # Virtuoso's "anytime" answer is partial: never pass it on
            raise QueryTimeout(f"the store stopped the query after {timeout:g} s")
        body = response.read()
        media = (response.headers.get("Content-Type") or accept).split(";")[0].strip()
        if renamed and media == _RESULTS_JSON:
            body = _rename_back(body, renamed)
        return _parse_answer(body, media, form)

    def _select(self, sparql: str, **kwargs: Any) -> list[ox.QuerySolution]:
        return list(self.query(sparql, **kwargs))  # type: ignore[arg-type]

    def graphs(self) -> list[str]:
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        names = {r["g"].value for r in rows if isinstance(r["g"], ox.NamedNode)}
        return sorted(g for g in names if not self._is_system_graph(g))

    def _is_system_graph(self, graph: str) -> bool:
        return self.flavour == "virtuoso" and (graph in VIRTUOSO_SYSTEM_GRAPHS
                                               or graph.startswith("http://www.openlinksw.com/"))

    def _count_in(self, graph: str) -> int:
        rows = self._select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graphs=[graph])
        return int(rows[0]["n"].value) if rows else 0

    def count(self, graph: str | None = None, *, all_graphs: bool = False) -> int:
        if all_graphs:
            return sum(self._count_in(g) for g in self.graphs()) + self.count(None)
        if graph is not None:
            return self._count_in(graph)
        if self.flavour != "oxigraph":
            return 0  # Virtuoso keeps every triple in a named graph
        rows = list(self._default_graph_query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))  # type: ignore[arg-type]
        return int(rows[0]["n"].value) if rows else 0

    def _default_graph_query(self, sparql: str) -> QueryResult:
        """A query over Oxigraph's real default graph (no union)."""
        accept = _NTRIPLES if query_form(sparql) in ("CONSTRUCT", "DESCRIBE") else _RESULTS_JSON
        response = self._sparql(self.query_url, sparql, update=False, params={}, accept=accept,
                                timeout=None)
        media = (response.headers.get("Content-Type") or accept).split(";")[0].strip()
        return _parse_answer(response.read(), media, query_form(sparql))

    def _triples(self, graph: str | None) -> Iterator[ox.Triple]:
        if graph is None:
            if self.flavour != "oxigraph":
                return iter(())
            return iter(self._default_graph_query("CONSTRUCT WHERE { ?s ?p ?o }"))
        gsp = self.graph_store_url if self.flavour == "oxigraph" else None
        if gsp is not None:
            try:
                response = self._request(f"{gsp}?graph={urllib.parse.quote(graph, safe='')}",
                                         method="GET", accept=_NTRIPLES, retry=True)
            except urllib.error.HTTPError as exc:
                if exc.code == 404:  # no such graph: it holds nothing
                    return iter(())
                raise StoreError(f"the store answered {exc.code} reading graph <{graph}>") from None
            return iter(ox.parse(response.read(), format=ox.RdfFormat.N_TRIPLES))
        return iter(self.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graphs=[graph]))

    def quads(self, graph: str | None = None, *, all_graphs: bool = False) -> Iterator[ox.Quad]:
        if all_graphs:
            def every() -> Iterator[ox.Quad]:
                for t in self._triples(None):
                    yield ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                for name in self.graphs():
                    target = ox.NamedNode(name)
                    for t in self._triples(name):
                        yield ox.Quad(t.subject, t.predicate, t.object, target)
            return every()
        target = ox.DefaultGraph() if graph is None else node(graph)
        return (ox.Quad(t.subject, t.predicate, t.object, target) for t in self._triples(graph))

    def dump(self, output: IO[bytes], *, format: ox.RdfFormat, graph: str | None = None,
             all_graphs: bool = True) -> None:
        if format.supports_datasets and all_graphs and graph is None:
            ox.serialize(self.quads(all_graphs=True), output, format=format)
        else:
            ox.serialize((q.triple for q in self.quads(graph)), output, format=format)

    # -- writing ----------------------------------------------------------------------------------
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        text = _with_prologue(sparql, None, base_iri)
        response = self._sparql(self.update_url, text, update=True, params={}, accept=None,
                                timeout=None)
        response.read()

    def _post_graph(self, graph: str | None, triples: list[ox.Triple], *, replace: bool) -> None:
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        gsp = self.graph_store_url
        if gsp is not None and (graph is not None or self.flavour == "oxigraph"):
            where = "default" if graph is None else "graph=" + urllib.parse.quote(graph, safe="")
            try:
                self._request(f"{gsp}?{where}", body=data,
                              content_type="text/turtle" if self.flavour == "virtuoso" else _NTRIPLES,
                              method="PUT" if replace else "POST", retry=False).read()
                return
            except urllib.error.HTTPError as exc:
                if exc.code not in (404, 405, 501):
                    detail = exc.read().decode(errors="replace")[:500]
                    raise StoreError(f"the store refused a Graph Store write ({exc.code}): "
                                     f"{' '.join(detail.split())}") from None
        target = "" if graph is None else f"GRAPH {node(graph)} "
        drop = (f"DROP SILENT GRAPH {node(graph)} ;\n" if graph else "") if replace else ""
        self.update(f"{drop}INSERT DATA {{ {target}{{\n{data.decode()}}} }}")

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads, in requests of at most :data:`CHUNK` triples (one request when smaller)."""
        iterator = iter(quads)
        while True:
            chunk = list(itertools.islice(iterator, CHUNK))
            if not chunk:
                return
            by_graph: dict[str | None, list[ox.Triple]] = {}
            for q in chunk:
                name = None if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
                by_graph.setdefault(name, []).append(q.triple)
            for name, triples in by_graph.items():
                self._post_graph(name, triples, replace=False)

    def load(self, source: bytes | str | IO[bytes] | Path, *, format: ox.RdfFormat,
             graph: str | None = None, base_iri: str | None = None,
             progress: Progress | None = None) -> None:
        import gzip

        from kg.errors import BadRequest
        from kg.store import _ProgressReader

        opened: list[IO[bytes]] = []
        stream: Any = source
        if isinstance(source, Path):
            stream = open(source, "rb")
            opened.append(stream)
        if hasattr(stream, "read") and progress is not None:
            stream = io.BufferedReader(_ProgressReader(stream, progress), 1 << 20)
        if isinstance(source, Path) and source.name.endswith(".gz"):
            stream = gzip.GzipFile(fileobj=stream)
            opened.append(stream)
        target = node(graph) if graph else None
        try:
            parsed = ox.parse(stream, format=format, base_iri=base_iri)
            if format.supports_datasets:
                quads = (q if target is None else ox.Quad(q.subject, q.predicate, q.object, target)
                         for q in parsed)
            else:
                name = target if target is not None else ox.DefaultGraph()
                quads = (ox.Quad(t.subject, t.predicate, t.object, name) for t in parsed)
            self.add(quads)
        except SyntaxError as exc:
            raise BadRequest(f"invalid {format.name}: {exc}") from None
        except (OSError, EOFError) as exc:
            raise StoreError(f"load failed: {exc}") from None
        finally:
            for handle in reversed(opened):
                handle.close()

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        """One request (Graph Store ``PUT``, else ``DROP`` + ``INSERT DATA``): atomic on the server."""
        self._post_graph(graph, [q.triple for q in quads], replace=True)

    def drop_graph(self, graph: str | None) -> None:
        if graph is None:
            if self.flavour == "oxigraph":
                self.update("CLEAR SILENT DEFAULT")
            return
        self.update(f"DROP SILENT GRAPH {node(graph)}")

    def close(self) -> None:
        pass


def _with_prologue(sparql: str, prefixes: Mapping[str, str] | None, base_iri: str | None) -> str:
    lines = []
    if base_iri:
        lines.append(f"BASE {node(base_iri)}")
    for name, iri in (prefixes or {}).items():
        lines.append(f"PREFIX {name}: {node(iri)}")
    return "\n".join(lines + [sparql]) if lines else sparql


def _parse_answer(body: bytes, media: str, form: str) -> QueryResult:
    if form in ("CONSTRUCT", "DESCRIBE"):
        fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
        scratch = ox.Store()
        try:
            scratch.extend(ox.Quad(t.subject, t.predicate, t.object)
                           for t in ox.parse(body, format=fmt))
        except SyntaxError as exc:
            raise StoreError(f"the store sent unreadable RDF ({media}): {exc}") from None
        return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
    fmt = ox.QueryResultsFormat.from_media_type(media) or ox.QueryResultsFormat.JSON
    try:
        return ox.parse_query_results(body, format=fmt)
    except SyntaxError as exc:
        raise StoreError(f"the store sent unreadable results ({media}): {exc}") from None


_VARIABLE = re.compile(r"[?$]([A-Za-z0-9_\u00b7\u00c0-\uffff]+)")


def case_distinct(sparql: str) -> tuple[str, dict[str, str]]:
    """``sparql`` with variables that differ only in letter case renamed apart, and the renaming
    (new name → original name).

    Virtuoso (its default ``CaseMode 2``) turns SPARQL variables into case-insensitive SQL
    columns: ``?x_ir`` and ``?x_iR`` become one column in an ordered query, so both show one
    value. Renaming is invisible to the caller: the answer's columns get their names back.
    """
    masked = mask(sparql)
    matches = list(_VARIABLE.finditer(masked))
    spellings: dict[str, set[str]] = {}
    for match in matches:
        spellings.setdefault(match.group(1).lower(), set()).add(match.group(1))
    taken = set(spellings)
    renames: dict[str, str] = {}
    for names in spellings.values():
        for name in sorted(names)[1:]:  # the first spelling keeps its name
            number = 1
            while f"{name}_{number}".lower() in taken:
                number += 1
            renames[name] = f"{name}_{number}"
            taken.add(renames[name].lower())
    if not renames:
        return sparql, {}
    out, last = [], 0
    for match in matches:
        if match.group(1) in renames:
            out.append(sparql[last:match.start(1)])
            out.append(renames[match.group(1)])
            last = match.end(1)
    out.append(sparql[last:])
    return "".join(out), {new: old for old, new in renames.items()}


def _rename_back(body: bytes, renamed: Mapping[str, str]) -> bytes:
    """SPARQL JSON results with the variables :func:`case_distinct` renamed given their names."""
    try:
        answer = json.loads(body)
    except ValueError:
        return body  # the parser reports it
    head = answer.get("head", {})
    if "vars" in head:
        head["vars"] = [renamed.get(v, v) for v in head["vars"]]
    for row in answer.get("results", {}).get("bindings", []):
        for new, old in renamed.items():
            if new in row:
                row[old] = row.pop(new)
    return json.dumps(answer).encode()
