"""SPARQL query evaluation that can really be stopped.

pyoxigraph cannot cancel a running query and a Python thread cannot be killed, so a query that runs
past ``KLASTER_QUERY_TIMEOUT`` would keep burning a CPU long after its client gave up. Here queries
over an embedded on-disk store run in worker *processes*:

* the serving process owns the writable store; after each write it marks the data changed, and
  before the next query it makes a checkpoint with :meth:`pyoxigraph.Store.backup` (hard links, so
  cheap) into ``{store}.snapshots/{n}``;
* each worker opens the newest checkpoint with :meth:`pyoxigraph.Store.read_only` (never the live
  directory another process writes), evaluates the query and sends back the serialised result;
* on timeout the parent SIGKILLs that worker, answers :class:`~kg.errors.QueryTimeout` and starts
  a fresh worker; the other workers keep serving.

An in-memory store (tests, tools) cannot be checkpointed, so :class:`InlineExecutor` evaluates in
the calling thread without a timeout. :class:`GuardedStore` puts either executor behind the
:class:`~kg.store.Store` interface, so every caller of ``store.query`` gets the timeout.
"""

from __future__ import annotations

import abc
import logging
import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from multiprocessing.connection import Connection
from typing import IO, Any

import pyoxigraph as ox

from kg import errors
from kg.csv_safety import neutralise_csv
from kg.rdf_limits import check_sparql
from kg.errors import KlasterError, QuerySyntaxError, QueryTimeout, StoreError
from kg.formats import BY_KEY
from kg.namespaces import PREFIXES
from kg.settings import Settings
from kg.store import EmbeddedStore, QueryResult, Store, Term, query_options

log = logging.getLogger(__name__)

_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)


@dataclass(frozen=True)
class QueryRequest:
    """One query to evaluate, with its protocol dataset and the formats to answer in."""

    sparql: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    bindings: Mapping[str, Term] | None = None
    base_iri: str | None = None
    results_format: str = "json"   # a kg.formats key for SELECT/ASK
    graph_format: str = "turtle"   # a kg.formats key for CONSTRUCT/DESCRIBE
    max_rows: int | None = None
    prefixes: Mapping[str, str] | None = None


@dataclass(frozen=True)
class QueryOutcome:
    """A serialised answer: ``kind`` is ``solutions``, ``boolean`` or ``graph``."""

    kind: str
    format: str
    body: bytes
    rows: int | None = None
    truncated: bool = False
    seconds: float = 0.0

    @property
    def media_type(self) -> str:
        return BY_KEY[self.format].media_type

    @property
    def content_type(self) -> str:
        return BY_KEY[self.format].content_type


# -- evaluation (runs in a worker process or in the caller) ----------------------------------------
def query_kwargs(request: QueryRequest) -> dict[str, Any]:
    """pyoxigraph ``Store.query`` arguments for a request (see :func:`kg.store.query_options`)."""
    return query_options(request.sparql, bindings=request.bindings,
                         default_graphs=request.default_graphs,
                         named_graphs=request.named_graphs, base_iri=request.base_iri,
                         prefixes=request.prefixes)


def run_query(store: ox.Store, request: QueryRequest) -> QueryResult:
    check_sparql(request.sparql)  # nesting that would crash the parser (kg.rdf_limits)
    try:
        return store.query(request.sparql, **query_kwargs(request))
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc)) from None
    except OSError as exc:
        raise StoreError(f"query failed: {exc}") from None


class _Enough(Exception):
    """Raised by :class:`_LineCounter` to stop a serialiser once it has written enough rows."""


class _LineCounter:
    """A binary sink that keeps what it is given and stops the writer after ``lines`` lines."""

    def __init__(self, lines: int) -> None:
        self.parts: list[bytes] = []
        self.lines = 0
        self.max = lines

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        self.parts.append(chunk)
        self.lines += chunk.count(b"\n")
        if self.lines > self.max:
            raise _Enough()
        return len(chunk)

    def flush(self) -> None:
        pass


def _first_lines(result: QueryResult, format: Any, lines: int) -> tuple[bytes, bool]:
    """Serialise ``result`` in a line-per-row format, keeping ``lines`` lines; True if it was cut.

    TSV and N-Triples escape newlines inside terms, so one line is one row (plus the TSV header).
    Serialisation, and so evaluation, stops as soon as the limit is passed.
    """
    sink = _LineCounter(lines)
    try:
        result.serialize(sink, format=format)  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - _Enough comes back wrapped by pyoxigraph
        if sink.lines <= lines:
            raise
    data = b"".join(sink.parts)
    if sink.lines <= lines:
        return data, False
    return b"\n".join(data.split(b"\n", lines)[:lines]) + b"\n", True


def serialise(result: QueryResult, request: QueryRequest) -> QueryOutcome:
    """Serialise a pyoxigraph result in the requested format, cutting it after ``max_rows`` rows.

    With a limit, rows are first written as TSV (N-Triples for graphs) by pyoxigraph and counted as
    they stream; the kept rows are re-read and written in the requested format, again by pyoxigraph.
    """
    limit = request.max_rows
    if isinstance(result, ox.QueryBoolean):
        fmt = BY_KEY[request.results_format]
        return QueryOutcome("boolean", fmt.key, result.serialize(format=fmt.results_format))
    if isinstance(result, ox.QuerySolutions):
        fmt = BY_KEY[request.results_format]
        if limit is None:
            return QueryOutcome("solutions", fmt.key, result.serialize(format=fmt.results_format))
        tsv, truncated = _first_lines(result, ox.QueryResultsFormat.TSV, limit + 1)
        rows = max(tsv.count(b"\n") - 1, 0)
        if fmt.key == "tsv":
            return QueryOutcome("solutions", fmt.key, tsv, rows=rows, truncated=truncated)
        kept = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
        return QueryOutcome("solutions", fmt.key, kept.serialize(format=fmt.results_format),
                            rows=rows, truncated=truncated)
    fmt = BY_KEY[request.graph_format]
    if limit is None:
        nt, truncated = result.serialize(format=ox.RdfFormat.N_TRIPLES) or b"", False
    else:
        nt, truncated = _first_lines(result, ox.RdfFormat.N_TRIPLES, limit)
    rows = nt.count(b"\n")
    if fmt.key == "ntriples":
        return QueryOutcome("graph", fmt.key, nt, rows=rows, truncated=truncated)
    triples = ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)
    prefixes = PREFIXES if fmt.key == "turtle" else None
    body = ox.serialize(triples, format=fmt.rdf_format, prefixes=prefixes) if prefixes else \
        ox.serialize(triples, format=fmt.rdf_format)
    return QueryOutcome("graph", fmt.key, body or b"", rows=rows, truncated=truncated)


def evaluate(store: ox.Store, request: QueryRequest) -> QueryOutcome:
    started = time.perf_counter()
    outcome = serialise(run_query(store, request), request)
    body = neutralise_csv(outcome.body) if outcome.format == "csv" else outcome.body  # formulas
    return QueryOutcome(outcome.kind, outcome.format, body, outcome.rows, outcome.truncated,
                        time.perf_counter() - started)


def parse_outcome(outcome: QueryOutcome) -> QueryResult:
    """Turn a serialised outcome back into a pyoxigraph result object."""
    if outcome.kind == "graph":
        scratch = ox.Store()
        scratch.load(outcome.body, format=BY_KEY[outcome.format].rdf_format)
        return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
    return ox.parse_query_results(outcome.body, format=BY_KEY[outcome.format].results_format)


# -- executors ---------------------------------------------------------------------------------------
class Executor(abc.ABC):
    """Evaluates queries against a store; knows when the data changed."""

    timeout: float | None = None

    @abc.abstractmethod
    def execute(self, request: QueryRequest) -> QueryOutcome:
        """Evaluate and serialise; raises :class:`QueryTimeout` when it takes too long."""

    @abc.abstractmethod
    def query(self, request: QueryRequest) -> QueryResult:
        """Evaluate and return a pyoxigraph result object."""

    def data_changed(self) -> None:
        """The store was written: later queries must see the change."""

    def worker_pids(self) -> list[int]:
        return []

    def close(self) -> None:
        pass


class InlineExecutor(Executor):
    """Evaluates in the calling thread (in-memory stores): no timeout is possible."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store

    def execute(self, request: QueryRequest) -> QueryOutcome:
        return evaluate(self._store, request)

    def query(self, request: QueryRequest) -> QueryResult:
        return run_query(self._store, request)


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection
    snapshot: str | None = None

    @property
    def pid(self) -> int:
        return int(self.process.pid)


@dataclass
class _Snapshots:
    root: Path
    generation: int = 0
    current: str | None = None
    dirty: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)


class ProcessExecutor(Executor):
    """Evaluates queries in killable worker processes over read-only checkpoints of ``store``."""

    def __init__(self, store: EmbeddedStore, *, workers: int = 2, timeout: float = 30.0) -> None:
        if store.path is None:
            raise StoreError("worker processes need an on-disk store")
        self._live = store
        self.timeout = timeout
        root = store.path.parent / f"{store.path.name}.snapshots"
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        self._snap = _Snapshots(root)
        self._all: list[_Worker] = []
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._guard = threading.Lock()
        self._closed = False
        # One process more than ``workers``: the SPARQL endpoint runs at most ``workers`` queries
        # at once (service.admission), so the service's own queries (health, canned questions,
        # pages) always find a free worker however slow the endpoint's queries are.
        for _ in range(max(1, workers) + 1):
            self._idle.put(self._start())

    # -- workers ------------------------------------------------------------------------------
    def _start(self) -> _Worker:
        # A plain subprocess (not multiprocessing): it never re-imports the caller's __main__.
        parent, child = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
        process = subprocess.Popen([sys.executable, "-m", "kg.query_worker", str(child.fileno())],
                                   pass_fds=(child.fileno(),), env=env, stdin=subprocess.DEVNULL)
        child.close()
        worker = _Worker(process, Connection(parent.detach()))
        with self._guard:
            self._all.append(worker)
        return worker

    def _kill(self, worker: _Worker) -> None:
        worker.process.kill()  # SIGKILL: the query's CPU is freed now, not when it would finish
        worker.process.wait(5)
        worker.conn.close()
        with self._guard:
            if worker in self._all:
                self._all.remove(worker)

    def worker_pids(self) -> list[int]:
        with self._guard:
            return [w.pid for w in self._all]

    # -- snapshots ----------------------------------------------------------------------------
    def data_changed(self) -> None:
        self._snap.dirty = True

    def _snapshot(self) -> str:
        snap = self._snap
        with snap.lock:
            if snap.dirty or snap.current is None:
                snap.dirty = False  # writes after this point mark it again
                snap.generation += 1
                target = snap.root / str(snap.generation)
                started = time.perf_counter()
                try:
                    self._live.backup(target)
                except OSError as exc:
                    snap.dirty = True
                    raise StoreError(f"cannot checkpoint the store for queries: {exc}") from None
                log.debug("checkpoint %s in %.1f ms", target, 1000 * (time.perf_counter() - started))
                snap.current = str(target)
                self._collect()
            return snap.current

    def _collect(self) -> None:
        """Delete checkpoints no worker has open any more."""
        with self._guard:
            held = {w.snapshot for w in self._all} | {self._snap.current}
        for path in self._snap.root.iterdir():
            if str(path) not in held:
                shutil.rmtree(path, ignore_errors=True)

    # -- evaluation ---------------------------------------------------------------------------
    def execute(self, request: QueryRequest) -> QueryOutcome:
        if self._closed:
            raise StoreError("the query executor is closed")
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise QueryTimeout(f"all query workers stayed busy for {self.timeout:g} s; "
                               "try again later") from None
        replacement: _Worker | None = None
        if worker.process.poll() is not None:  # died while idle (e.g. killed by the OOM killer)
            log.error("query worker %s had exited; starting a new one", worker.pid)
            self._kill(worker)
            worker = self._start()
        try:
            path = self._snapshot()
            worker.snapshot = path
            try:
                worker.conn.send((path, request))
                ready = worker.conn.poll(self.timeout)
                reply = worker.conn.recv() if ready else None
            except (EOFError, OSError, BrokenPipeError):
                log.error("query worker %s died; starting a new one", worker.pid)
                self._kill(worker)
                replacement = self._start()
                raise StoreError("the query worker failed; try again") from None
            if reply is None:
                log.warning("query exceeded %g s; killing worker %s", self.timeout, worker.pid)
                self._kill(worker)
                replacement = self._start()
                raise QueryTimeout(f"query timed out after {self.timeout:g} s and was stopped; "
                                   "narrow it down (LIMIT, more specific patterns) and try again")
        finally:
            self._idle.put(replacement if replacement is not None else worker)
        if reply[0] == "ok":
            return reply[1]
        _, name, detail = reply
        error_class = getattr(errors, name, StoreError)
        if not (isinstance(error_class, type) and issubclass(error_class, KlasterError)):
            error_class = StoreError
        raise error_class(detail)

    def query(self, request: QueryRequest) -> QueryResult:
        plain = QueryRequest(request.sparql, request.default_graphs, request.named_graphs,
                             request.bindings, request.base_iri, "json", "ntriples", None)
        return parse_outcome(self.execute(plain))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with self._guard:
            workers = list(self._all)
        for worker in workers:
            try:
                worker.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
        for worker in workers:
            try:
                worker.process.wait(2)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait(2)
            worker.conn.close()
        shutil.rmtree(self._snap.root, ignore_errors=True)


def make_executor(store: Store, settings: Settings) -> Executor:
    """Worker processes for an on-disk embedded store; in-process evaluation otherwise."""
    if isinstance(store, EmbeddedStore) and store.path is not None:
        return ProcessExecutor(store, workers=settings.query_workers, timeout=settings.query_timeout)
    if isinstance(store, EmbeddedStore):
        return InlineExecutor(store.raw)
    from kg.remote import RemoteStore

    if isinstance(store, RemoteStore):
        return RemoteExecutor(store, timeout=settings.query_timeout)
    raise StoreError(f"cannot serve a {type(store).__name__}")


class RemoteExecutor(Executor):
    """Queries on a remote SPARQL server: no worker processes. ``KLASTER_QUERY_TIMEOUT`` is the
    HTTP timeout and is sent to the server as its own timeout where it has one (Virtuoso's
    ``timeout``), so the server stops the query too; the row cap applies to the parsed answer."""

    def __init__(self, store: Any, *, timeout: float) -> None:
        self._store = store
        self.timeout = timeout

    def query(self, request: QueryRequest) -> QueryResult:
        return self._store.query(
            request.sparql, bindings=request.bindings,
            default_graphs=None if request.default_graphs is None else list(request.default_graphs),
            named_graphs=None if request.named_graphs is None else list(request.named_graphs),
            prefixes=request.prefixes, base_iri=request.base_iri, timeout=self.timeout)

    def execute(self, request: QueryRequest) -> QueryOutcome:
        started = time.perf_counter()
        outcome = serialise(self.query(request), request)
        return QueryOutcome(outcome.kind, outcome.format, outcome.body, outcome.rows,
                            outcome.truncated, time.perf_counter() - started)


# -- the store interface with the executor in front -------------------------------------------------
class GuardedStore(Store):
    """A :class:`Store` whose queries go through an :class:`Executor` (with its timeout) and whose
    writes tell the executor that the data changed."""

    def __init__(self, inner: Store, executor: Executor) -> None:
        self.inner = inner
        self.executor = executor

    def __getattr__(self, name: str) -> Any:  # path, raw, backup, flush of the wrapped store
        return getattr(self.inner, name)

    def execute(self, request: QueryRequest) -> QueryOutcome:
        return self.executor.execute(request)

    def query(self, sparql: str, *, bindings: Mapping[str, Term] | None = None,
              default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None,
              prefixes: Mapping[str, str] | None = None) -> QueryResult:
        return self.executor.query(QueryRequest(
            sparql, None if default_graphs is None else tuple(default_graphs),
            None if named_graphs is None else tuple(named_graphs), bindings,
            prefixes=None if prefixes is None else dict(prefixes)))

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        check_sparql(sparql)  # updates run in this process: a parser crash would end the server
        try:
            if base_iri and isinstance(self.inner, EmbeddedStore):
                try:
                    self.inner.raw.update(sparql, base_iri=base_iri)
                except SyntaxError as exc:
                    raise QuerySyntaxError(str(exc)) from None
                except OSError as exc:
                    raise StoreError(f"update failed: {exc}") from None
            else:
                self.inner.update(sparql, base_iri=base_iri)
        finally:
            self.executor.data_changed()

    def load(self, source: bytes | str | IO[bytes] | Path, **kwargs: Any) -> None:
        try:
            self.inner.load(source, **kwargs)
        finally:
            self.executor.data_changed()

    def add(self, quads: Iterable[ox.Quad]) -> None:
        try:
            self.inner.add(quads)
        finally:
            self.executor.data_changed()

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        try:
            self.inner.replace_graph(graph, quads)
        finally:
            self.executor.data_changed()

    def drop_graph(self, graph: str | None) -> None:
        try:
            self.inner.drop_graph(graph)
        finally:
            self.executor.data_changed()

    def graphs(self) -> list[str]:
        return self.inner.graphs()

    def count(self, graph: str | None = None, *, all_graphs: bool = False) -> int:
        return self.inner.count(graph, all_graphs=all_graphs)

    def quads(self, graph: str | None = None, *, all_graphs: bool = False) -> Iterator[ox.Quad]:
        return self.inner.quads(graph, all_graphs=all_graphs)

    def dump(self, output: IO[bytes], **kwargs: Any) -> None:
        self.inner.dump(output, **kwargs)

    def close(self) -> None:
        self.executor.close()
        self.inner.close()
