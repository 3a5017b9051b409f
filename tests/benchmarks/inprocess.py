"""Run SPARQL jobs in this process on pyoxigraph or rdflib and print one JSON line per timing.

    python tests/benchmarks/inprocess.py ENGINE DATA JOBS.json

ENGINE is ``pyoxigraph`` (DATA: a store directory, opened read-only) or ``rdflib`` (DATA: one or
more N-Quads files joined by ``,``, parsed into an rdflib ``Dataset`` whose default graph is the
union). JOBS.json is ``{"budget_s": float, "min_runs": int, "questions": {name: [sparql, ...]}}``;
each question runs its queries in order until ``min_runs`` ran and ``budget_s`` passed. Lines:
``{"ready": true, "load_s": …}``, then ``{"question": …, "i": …, "ms": …, "rows": …}`` or with
``"error"``, then ``{"done": true}``. The parent kills this process when a query runs too long.
"""

from __future__ import annotations

import json
import sys
import time


def _emit(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


def _pyoxigraph(data: str):
    import pyoxigraph as ox

    store = ox.Store.read_only(data)

    def run(sparql: str) -> int:
        return sum(1 for _ in store.query(sparql, use_default_graph_as_union=True))
    return run


def _rdflib(data: str):
    import gzip

    import rdflib

    dataset = rdflib.Dataset(default_union=True)
    for path in data.split(","):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as handle:
            dataset.parse(handle, format="nquads")

    def run(sparql: str) -> int:
        return sum(1 for _ in dataset.query(sparql))
    return run


def main(argv: list[str]) -> None:
    engine, data, jobs_path = argv
    with open(jobs_path, encoding="utf-8") as handle:
        jobs = json.load(handle)
    started = time.perf_counter()
    run = {"pyoxigraph": _pyoxigraph, "rdflib": _rdflib}[engine](data)
    _emit(ready=True, load_s=time.perf_counter() - started)
    for name, queries in jobs["questions"].items():
        first = time.perf_counter()
        for i, sparql in enumerate(queries):
            if i >= jobs["min_runs"] and time.perf_counter() - first > jobs["budget_s"]:
                break
            _emit(question=name, i=i, start=True)
            t = time.perf_counter()
            try:
                rows = run(sparql)
            except Exception as exc:  # noqa: BLE001 - reported to the parent as a failed run
                _emit(question=name, i=i, error=f"{type(exc).__name__}: {exc}"[:300])
                continue
            _emit(question=name, i=i, ms=(time.perf_counter() - t) * 1000, rows=rows)
    _emit(done=True)


if __name__ == "__main__":
    main(sys.argv[1:])
