"""The engines the benchmark compares: Klaster over HTTP, pyoxigraph and rdflib in a child process,
a raw Oxigraph server and Virtuoso 7 over HTTP. Each server is started on a free loopback port and
stopped (only it, by its process id) when its block ends."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import requests

from measure import Latencies, RssWatch, kill_tree, run_timed, say

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            if requests.get(url, timeout=5).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@contextlib.contextmanager
def server(args: list[str], health_url: str, *, env: dict[str, str] | None = None,
           log: Path | None = None, timeout: float = 600) -> Iterator[subprocess.Popen]:
    out = open(log, "ab") if log else subprocess.DEVNULL
    process = subprocess.Popen(args, env={**os.environ, **(env or {})}, stdout=out,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_http(health_url, process, timeout)
        yield process
    finally:
        kill_tree(process.pid)
        if log:
            out.close()


# -- timing over HTTP --------------------------------------------------------------------------

def time_http(calls: list[Callable[[], int]], *, budget_s: float, min_runs: int,
              timeout_s: float) -> Latencies:
    """Run ``calls`` in order until ``min_runs`` ran and ``budget_s`` passed; each returns rows."""
    lat = Latencies([])
    first = time.perf_counter()
    for i, call in enumerate(calls):
        if i >= min_runs and time.perf_counter() - first > budget_s:
            break
        t = time.perf_counter()
        try:
            call()
            lat.times_ms.append((time.perf_counter() - t) * 1000)
        except requests.Timeout:
            lat.timeouts += 1
            lat.note = f"timed out after {timeout_s:.0f} s"
            break  # the rest of this question would time out too; do not burn the budget
        except Exception as exc:  # noqa: BLE001 - counted and reported
            lat.errors += 1
            lat.note = f"{type(exc).__name__}: {exc}"[:200]
    return lat


def _check(response: requests.Response) -> None:
    """Raise for a failed answer; a query the server stopped for time counts as a timeout."""
    if response.status_code == 200:
        return
    text = response.text[:300]
    if "timed out" in text.lower() or "timeout" in text.lower():
        raise requests.Timeout(f"HTTP {response.status_code}: {text}")
    raise RuntimeError(f"HTTP {response.status_code}: {text}")


def sparql_call(session: requests.Session, endpoint: str, sparql: str, timeout: float,
                ) -> Callable[[], int]:
    def call() -> int:
        response = session.post(endpoint, data={"query": sparql}, timeout=timeout,
                                headers={"Accept": "application/sparql-results+json"})
        _check(response)
        if "S1TAT" in response.headers.get("X-SQL-State", ""):  # Virtuoso's partial answer
            raise requests.Timeout("the server stopped the query and sent a partial answer")
        try:
            return len(response.json()["results"]["bindings"])
        except ValueError:  # Oxigraph's --timeout-s cuts the streamed answer off mid-document
            raise requests.Timeout("the answer was cut off (the server stopped the query)") from None
    return call


def question_call(session: requests.Session, base_url: str, name: str, params: dict[str, str],
                  timeout: float) -> Callable[[], int]:
    def call() -> int:
        response = session.get(f"{base_url}/api/{name}", params=params, timeout=timeout,
                               headers={"Accept": "application/json"})
        _check(response)
        return len(response.json()["rows"])
    return call


# -- in-process engines in a child -------------------------------------------------------------

def run_inprocess(engine: str, data: str, questions: dict[str, list[str]], *, budget_s: float,
                  min_runs: int, timeout_s: float, load_timeout_s: float = 3600,
                  ) -> tuple[dict[str, Latencies], float | None, float]:
    """Time the queries in a child process (restarted after a query is killed for running too
    long); returns per-question latencies, the child's load time and its peak RSS in MB."""
    results: dict[str, Latencies] = {name: Latencies([]) for name in questions}
    remaining = dict(questions)
    load_s: float | None = None
    peak = 0.0
    while remaining:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump({"budget_s": budget_s, "min_runs": min_runs, "questions": remaining}, handle)
        errors = tempfile.TemporaryFile("w+")
        proc = subprocess.Popen([sys.executable, str(HERE / "inprocess.py"), engine, data, handle.name],
                                stdout=subprocess.PIPE, stderr=errors, text=True,
                                start_new_session=True)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(l) for l in proc.stdout] + [lines.put(None)],
                         daemon=True).start()
        current: tuple[str, int] | None = None
        deadline = time.monotonic() + load_timeout_s
        with RssWatch(proc.pid) as watch:
            while True:
                try:
                    line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
                except queue.Empty:
                    line = "TIMEOUT"
                if line is None or line == "TIMEOUT":
                    kill_tree(proc.pid)
                    if current is None:  # died or hung while loading
                        errors.seek(0)
                        err = errors.read()[-500:] if line is None else "load timed out"
                        for name in remaining:
                            results[name].note = f"could not run: {err}"
                        remaining = {}
                    else:
                        name = current[0]
                        results[name].timeouts += 1
                        results[name].note = f"timed out after {timeout_s:.0f} s (process stopped)"
                        names = list(remaining)
                        remaining = {n: remaining[n] for n in names[names.index(name) + 1:]}
                    break
                event = json.loads(line)
                if event.get("ready"):
                    load_s = event["load_s"]
                    say(f"{engine}: data ready in {load_s:.1f} s")
                elif event.get("done"):
                    remaining = {}
                    proc.wait()
                    break
                elif event.get("start"):
                    current = (event["question"], event["i"])
                    deadline = time.monotonic() + timeout_s
                    continue
                elif "error" in event:
                    results[event["question"]].errors += 1
                    results[event["question"]].note = event["error"]
                else:
                    results[event["question"]].times_ms.append(event["ms"])
                if current is not None or event.get("ready"):
                    deadline = time.monotonic() + load_timeout_s
            peak = max(peak, watch.peak_mb)
        os.unlink(handle.name)
    for name, lat in results.items():
        say(f"  {engine} {name}: {lat.summary()}")
    return results, load_s, peak


# -- Oxigraph server ---------------------------------------------------------------------------

def oxigraph_binary() -> str | None:
    return shutil.which("oxigraph")


def oxigraph_load(dump: Path, location: Path) -> dict[str, float]:
    if location.exists():
        shutil.rmtree(location)
    result = run_timed([oxigraph_binary() or "oxigraph", "load", "--location", str(location),
                        "--file", str(dump)])
    if result.returncode != 0:
        raise RuntimeError(f"oxigraph load failed: {result.output[-1000:]}")
    return {"seconds": result.seconds, "peak_rss_mb": result.peak_rss_mb}


@contextlib.contextmanager
def oxigraph_server(location: Path, timeout_s: float, log: Path) -> Iterator[str]:
    port = free_port()
    args = [oxigraph_binary() or "oxigraph", "serve-read-only", "--location", str(location),
            "--bind", f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", str(int(timeout_s))]
    endpoint = f"http://127.0.0.1:{port}/query"
    with server(args, f"{endpoint}?query=ASK%7B%7D", log=log):
        yield endpoint


# -- Virtuoso 7 --------------------------------------------------------------------------------

def virtuoso_binaries() -> tuple[str, str] | None:
    daemon = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt") or shutil.which("isql")
    return (daemon, isql) if daemon and isql else None


_VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 20
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
DirsAllowed = ., {data}
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
MaxQueryMem = 1G
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10
NumberOfBuffers = 340000
MaxDirtyBuffers = 250000

[HTTPServer]
ServerPort = {http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 20
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
ServerThreads = 20
MaxKeepAlives = 10
KeepAliveTimeout = 10
HTTPThreadSize = 280000
Charset = UTF-8
EnabledGzipContent = 1

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = {timeout}
DefaultQuery = SELECT * WHERE {{ ?s ?p ?o }} LIMIT 10
"""


@contextlib.contextmanager
def virtuoso(folder: Path, dump: Path, timeout_s: float, *, load: bool) -> Iterator[tuple[str, dict]]:
    """Start Virtuoso on ``folder`` (a fresh database when ``load``), bulk-load ``dump`` with
    ld_dir/rdf_loader_run, and yield its SPARQL endpoint and load figures."""
    daemon, isql = virtuoso_binaries()  # type: ignore[misc]
    if load and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(_VIRTUOSO_INI.format(d=folder, data=dump.parent, sql_port=sql_port,
                                        http_port=http_port, timeout=int(timeout_s)))
    endpoint = f"http://127.0.0.1:{http_port}/sparql"
    info: dict[str, float] = {}
    with server([daemon, "+foreground", "+configfile", str(ini)],
                f"{endpoint}?query=ASK%7B%7D", log=folder / "stdout.log", timeout=300) as proc:
        if load:
            script = (f"ld_dir('{dump.parent}', '{dump.name}', 'urn:klaster:default');\n"
                      "rdf_loader_run();\ncheckpoint;\n"
                      "SELECT COUNT(*) FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;\n")
            with RssWatch(proc.pid) as watch:
                started = time.perf_counter()
                out = subprocess.run([isql, str(sql_port), "dba", "dba"], input=script, text=True,
                                     capture_output=True, timeout=6 * 3600)
                info = {"seconds": time.perf_counter() - started}
            info["peak_rss_mb"] = watch.peak_mb
            if out.returncode != 0 or "Error" in out.stdout:
                raise RuntimeError(f"virtuoso load failed: {out.stdout[-1000:]} {out.stderr[-500:]}")
        yield endpoint, info
