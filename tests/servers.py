"""Real SPARQL servers for the remote-store tests: Oxigraph server and OpenLink Virtuoso 7.

Each helper starts the server on free loopback ports in a temporary directory, waits until its
SPARQL endpoint answers and stops it (only the process it started) afterwards. When the binary is
absent, :func:`oxigraph_binary` / :func:`virtuoso_binary` return None and the fixtures skip with the
package to install (PyPI ``oxigraph``; Debian ``virtuoso-opensource``).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from helpers import free_port, running_process

VIRTUOSO_USER = "dba"
VIRTUOSO_PASSWORD = "dba"  # a fresh database's dba password; the server only listens on loopback


@dataclass(frozen=True)
class Endpoint:
    """A running SPARQL server and how Klaster reaches it."""

    kind: str                      # "oxigraph" or "virtuoso"
    query_url: str
    update_url: str | None = None
    user: str | None = None
    password: str | None = None


def oxigraph_binary() -> str | None:
    return shutil.which("oxigraph")


def virtuoso_binary() -> str | None:
    return shutil.which("virtuoso-t")


def isql_binary() -> str | None:
    return shutil.which("isql-vt") or shutil.which("isql")


def _wait_http(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout} s ({last})")


@contextlib.contextmanager
def oxigraph_server(directory: Path) -> Iterator[Endpoint]:
    """``oxigraph serve`` on a free port over a store in ``directory``."""
    binary = oxigraph_binary()
    if binary is None:
        raise FileNotFoundError("oxigraph (pip install oxigraph)")
    port = free_port()
    with running_process([binary, "serve", "--location", str(directory),
                          "--bind", f"127.0.0.1:{port}"], port) as process:
        base = f"http://127.0.0.1:{port}"
        _wait_http(base + "/query?query=" + urllib.parse.quote("ASK {}"), process, 30)
        yield Endpoint("oxigraph", base + "/query", base + "/update")


VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{sql_port}
LiteMode                 = 0
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 10
CheckpointInterval       = 60
O_DIRECT                 = 0
CaseMode                 = 2
DirsAllowed              = ., {dir}, /usr/share/virtuoso-opensource-7/vad
VADInstallDir            = /usr/share/virtuoso-opensource-7/vad/
NumberOfBuffers          = 100000
MaxDirtyBuffers          = 75000
MaxQueryMem              = 1G
ThreadsPerQuery          = 2
TransactionAfterImageLimit = 1500000000

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections        = 8
ServerThreads               = 8
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
MaxKeepAlives               = 8
KeepAliveTimeout            = 10
HTTPThreadSize              = 280000
Charset                     = UTF-8
EnabledGzipContent          = 0

[SPARQL]
ResultSetMaxRows           = 10000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = 0
MaxSortedTopRows           = 10000000
DeferInferenceRulesInit    = 0
"""


def isql(sql_port: int, statements: str) -> str:
    """Run SQL through Virtuoso's ``isql`` client as dba; raises on an error in the output."""
    binary = isql_binary()
    if binary is None:
        raise FileNotFoundError("isql-vt (Debian virtuoso-opensource)")
    done = subprocess.run([binary, f"127.0.0.1:{sql_port}", VIRTUOSO_USER, VIRTUOSO_PASSWORD],
                          input=statements.encode(), capture_output=True, timeout=120)
    output = done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")
    if done.returncode != 0 or "*** Error" in output:
        raise RuntimeError(f"isql failed: {output[-2000:]}")
    return output


@contextlib.contextmanager
def virtuoso_server(directory: Path) -> Iterator[Endpoint]:
    """``virtuoso-t -f`` with a minimal ini in ``directory``; SPARQL at ``/sparql-auth`` (digest,
    dba) so updates and Graph Store writes are allowed without opening the anonymous endpoint."""
    binary = virtuoso_binary()
    if binary is None:
        raise FileNotFoundError("virtuoso-t (Debian virtuoso-opensource)")
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=directory, sql_port=sql_port, http_port=http_port))
    with running_process([binary, "-f", "-c", str(ini)], http_port, timeout=120) as process:
        base = f"http://127.0.0.1:{http_port}"
        _wait_http(base + "/sparql?query=" + urllib.parse.quote("ASK {}"), process, 120)
        # The anonymous endpoint stays read-only; Klaster writes through /sparql-auth as dba.
        yield Endpoint("virtuoso", base + "/sparql-auth", None, VIRTUOSO_USER, VIRTUOSO_PASSWORD)
