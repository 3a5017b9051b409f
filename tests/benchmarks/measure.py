"""Measuring helpers for the benchmarks: timed subprocesses with peak RSS, latency statistics."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import psutil


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def tree_rss(pid: int, *, pss: bool = False) -> int:
    """Resident memory of a process and all its descendants, in bytes (0 once it is gone).

    With ``pss``, the proportional set size: a page shared by n of the processes (the store's
    files, the interpreter) counts 1/n in each, so the sum is the tree's real footprint."""
    try:
        root = psutil.Process(pid)
        procs = [root] + root.children(recursive=True)
    except psutil.Error:
        return 0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_full_info().pss if pss else proc.memory_info().rss
        except psutil.Error:
            pass
    return total


class RssWatch:
    """Polls the RSS of a process tree in a thread; keeps the peak; can enforce a limit."""

    def __init__(self, pid: int, *, limit_bytes: int | None = None, interval: float = 0.25,
                 deadline: float | None = None, pss: bool = False) -> None:
        self.pid = pid
        self.pss = pss
        self.peak_pss = 0
        self.deadline = deadline
        self.timed_out = False
        self.peak = 0
        self.limit = limit_bytes
        self.exceeded = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._interval = interval

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = tree_rss(self.pid)
            self.peak = max(self.peak, rss)
            if self.pss:
                self.peak_pss = max(self.peak_pss, tree_rss(self.pid, pss=True))
            if self.limit and rss > self.limit and not self.exceeded:
                self.exceeded = True
                kill_tree(self.pid)
            if self.deadline and time.perf_counter() > self.deadline and not self.timed_out:
                self.timed_out = True
                kill_tree(self.pid)
            self._stop.wait(self._interval)

    def __enter__(self) -> "RssWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    @property
    def peak_mb(self) -> float:
        return self.peak / 1e6

    @property
    def peak_pss_mb(self) -> float:
        return self.peak_pss / 1e6


def kill_tree(pid: int) -> None:
    """Stop one process and its descendants (only these: never by name)."""
    try:
        root = psutil.Process(pid)
        procs = root.children(recursive=True) + [root]
    except psutil.Error:
        return
    for proc in procs:
        try:
            proc.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(procs, timeout=10)
    for proc in alive:
        try:
            proc.kill()
        except psutil.Error:
            pass


@dataclass(frozen=True)
class Timed:
    returncode: int
    seconds: float
    peak_rss_mb: float
    output: str
    killed_for_memory: bool = False
    timed_out: bool = False


def run_timed(args: Sequence[str], *, env: dict[str, str] | None = None,
              limit_mb: float | None = None, timeout: float | None = None,
              echo: Callable[[str], None] | None = None) -> Timed:
    """Run a command to completion, timing it and polling the peak RSS of its process tree."""
    started = time.perf_counter()
    proc = subprocess.Popen(list(args), env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    lines: list[str] = []
    limit = int(limit_mb * 1e6) if limit_mb else None
    deadline = None if timeout is None else started + timeout
    with RssWatch(proc.pid, limit_bytes=limit, deadline=deadline) as watch:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if echo:
                echo(line.rstrip())
        proc.wait()
    return Timed(proc.returncode, time.perf_counter() - started, watch.peak_mb, "".join(lines),
                 watch.exceeded, watch.timed_out)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) by linear interpolation; None for no values."""
    if not values:
        return None
    data = sorted(values)
    if len(data) == 1:
        return data[0]
    pos = (len(data) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (pos - low)


@dataclass
class Latencies:
    """Timings of one question on one engine, in milliseconds, and what went wrong."""

    times_ms: list[float]
    errors: int = 0
    timeouts: int = 0
    note: str = ""

    def summary(self) -> dict[str, object]:
        t = self.times_ms
        return {"n": len(t), "errors": self.errors, "timeouts": self.timeouts, "note": self.note,
                "min_ms": min(t) if t else None, "median_ms": statistics.median(t) if t else None,
                "max_ms": max(t) if t else None, "p50_ms": percentile(t, 50),
                "p95_ms": percentile(t, 95)}


def write_json(path, data: object) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=False)
        handle.write("\n")
    os.replace(tmp, path)
