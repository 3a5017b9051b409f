"""The national-scale benchmark, in one command:

    python tests/benchmarks/run_all.py                 # everything, fresh, in ./bench-data
    python tests/benchmarks/run_all.py --reuse DIR     # keep DIR's dataset, store and params
    python tests/benchmarks/run_all.py --reuse DIR --only questions

Phases (each runnable alone with ``--only``; results accumulate in DIR/state.json):

* load: ``klaster synth`` (100k sentra, 1M enterprises), a fresh store seeded with ``klaster init
  --no-sample``, ``klaster load`` of the dataset (time, triples/s, peak RSS, inference time);
* questions: every canned question through HTTP on ``klaster serve`` with sampled parameters, and
  the most direct SPARQL formulation of each on pyoxigraph in-process, a raw Oxigraph server,
  Virtuoso 7 and rdflib (on a smaller synthetic dataset: rdflib cannot hold the national one);
* throughput: 8 concurrent clients for 30 s on a mix of questions, then on /sparql;
* validation: validation and ingest of 10,000 and 100,000-row sentra CSVs against the national store.

Then it prints a Markdown table and rewrites BENCHMARKS.md and tests/benchmarks/results.json.
Nothing here is collected by pytest.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import random
import re
import shutil
import sys
import threading
import time
from pathlib import Path

import psutil
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

import engines  # noqa: E402
from measure import RssWatch, percentile, run_timed, say, write_json  # noqa: E402
from workload import direct_query, sample_parameters  # noqa: E402

KLASTER = [sys.executable, "-m", "kg.cli"]
PHASES = ("load", "questions", "throughput", "validation")
ENGINES = ("klaster_http", "pyoxigraph", "oxigraph_server", "virtuoso", "rdflib", "pyoxigraph_subset")


# -- helpers -----------------------------------------------------------------------------------

def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def klaster(*args: str, echo: bool = True, **kwargs):
    result = run_timed(KLASTER + list(args), echo=(lambda l: say("  " + l)) if echo else None, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"klaster {' '.join(args)} failed ({result.returncode}): {result.output[-2000:]}")
    return result


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.dir = Path(args.reuse or args.dir).resolve()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.state_path = self.dir / "state.json"
        self.state = json.loads(self.state_path.read_text()) if self.state_path.exists() else {}
        self.store = self.dir / "store"
        self.data = self.dir / "synthetic.nq.gz"
        self.dump = self.dir / "dump" / "klaster.nq.gz"

    def save(self) -> None:
        write_json(self.state_path, self.state)

    # -- phase 1: data and load ----------------------------------------------------------------
    def load(self) -> None:
        a = self.args
        if not (a.reuse and self.data.exists()):
            say(f"generating the synthetic dataset ({a.sentra:,} sentra, {a.enterprises:,} enterprises)")
            result = klaster("synth", "--out", str(self.data), "--sentra", str(a.sentra),
                             "--enterprises", str(a.enterprises), "--seed", str(a.seed))
            triples = int(re.search(r"wrote ([\d,]+) triples", result.output).group(1).replace(",", ""))
            self.state["synth"] = {"seconds": result.seconds, "triples": triples, "sentra": a.sentra,
                                   "enterprises": a.enterprises, "seed": a.seed,
                                   "gz_bytes": self.data.stat().st_size}
            self.save()
            (self.dir / "synthetic.nq").unlink(missing_ok=True)
        if "synth" not in self.state:  # a reused dataset: record its size (the seconds are unknown)
            with gzip.open(self.data, "rb") as handle:
                triples = sum(1 for _ in handle)
            self.state["synth"] = {"seconds": None, "triples": triples, "sentra": a.sentra,
                                   "enterprises": a.enterprises, "seed": a.seed,
                                   "gz_bytes": self.data.stat().st_size}
        plain = self.dir / "synthetic.nq"
        if not plain.exists():  # klaster load bulk-loads files over 256 MB; the .gz is smaller
            say("decompressing the dataset for the bulk load path")
            with gzip.open(self.data, "rb") as src, open(plain, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 22)
        if self.store.exists():
            shutil.rmtree(self.store)
        for stale in (self.dump, self.dir / "params.json"):
            if stale.exists():
                stale.unlink()
        say("seeding a fresh store (ontology, reference data, inferences): klaster init --no-sample")
        init = klaster("init", "--no-sample", "--store", str(self.store))
        self.state["load"] = load = {"init_seconds": init.seconds, "init_peak_rss_mb": init.peak_rss_mb}
        # klaster load = EmbeddedStore.load + kg.reason.materialise; the two are run (and timed)
        # one after the other in their own processes, exactly as klaster load runs them.
        say(f"loading {plain.name} ({plain.stat().st_size / 1e9:.2f} GB) as klaster load does")
        step = self.step("load", str(self.store), str(plain))
        load.update(load_seconds=step["seconds"], quads_loaded=step["quads"],
                    triples_per_s=step["quads"] / step["seconds"], peak_rss_mb=step["peak_rss_mb"])
        self.save()
        backup = self.dir / "store-before-inferences"
        if backup.exists():
            shutil.rmtree(backup)
        from kg.store import EmbeddedStore
        source = EmbeddedStore(self.store, read_only=True)
        source.backup(backup)
        source.close()
        say(f"recomputing inferences as klaster load does (kg.reason.materialise; stopped above "
            f"{a.memory_limit_mb:,.0f} MB)")
        step = self.step("materialise", str(self.store), limit_mb=a.memory_limit_mb,
                         timeout=a.inference_timeout)
        load["materialise"] = step
        if "error" in step:
            say("materialise did not finish: restoring the store and adding the inferences "
                "incrementally (kg.reason.infer_delta in chunks, the submissions' path)")
            shutil.rmtree(self.store)
            backup.rename(self.store)
            load["incremental"] = self.step("incremental", str(self.store), str(self.data), "200000")
        else:
            shutil.rmtree(backup)
        import pyoxigraph as ox
        store = ox.Store.read_only(str(self.store))
        load["store_quads"] = len(store)
        load["inferred_triples"] = int(next(iter(store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/klaster/id/graph/inferred> { ?s ?p ?o } }")))["n"].value)
        del store
        load["store_bytes"] = sum(f.stat().st_size for f in self.store.rglob("*") if f.is_file())
        self.save()
        say(f"load: {json.dumps(load)}")

    def step(self, *args: str, limit_mb: float | None = None, timeout: float | None = None) -> dict:
        result = run_timed([sys.executable, str(HERE / "load_steps.py"), *args], limit_mb=limit_mb,
                           timeout=timeout, echo=lambda l: say("  " + l))
        line = next((l for l in reversed(result.output.splitlines()) if l.startswith("{")), None)
        if result.returncode == 0 and line:
            out = json.loads(line)
            out["tree_peak_rss_mb"] = result.peak_rss_mb
            return out
        why = ("stopped: its memory passed the limit" if result.killed_for_memory
               else "stopped: it ran past the time limit" if result.timed_out
               else f"exit code {result.returncode}")
        return {"error": why, "seconds": result.seconds, "peak_rss_mb": result.peak_rss_mb,
                "output": result.output[-500:]}

    # -- phase 2: questions --------------------------------------------------------------------
    def params(self) -> dict[str, list[dict[str, str]]]:
        path = self.dir / "params.json"
        if path.exists():
            return json.loads(path.read_text())
        from kg.store import EmbeddedStore
        store = EmbeddedStore(self.store, read_only=True)
        params = sample_parameters(store, count=self.args.samples)
        store.close()
        write_json(path, params)
        return params

    def served(self):
        port = engines.free_port()
        env = {"KLASTER_QUERY_TIMEOUT": str(self.args.timeout)}
        args = KLASTER + ["serve", "--store", str(self.store), "--port", str(port)]
        return engines.server(args, f"http://127.0.0.1:{port}/health", env=env,
                              log=self.dir / "serve.log", timeout=900), f"http://127.0.0.1:{port}"

    def questions(self) -> None:
        a = self.args
        params = self.params()
        names = sorted(params)
        results = self.state.setdefault("questions", {})

        def record(engine: str, lat: dict) -> None:
            results.setdefault(engine, {}).update({n: l.summary() for n, l in lat.items()})
            self.state.get("carried_over", {}).pop(engine, None)  # measured in this run now
        wanted = set(a.engines.split(",")) if a.engines else set(ENGINES)

        if "klaster_http" in wanted:
            context, base = self.served()
            say(f"klaster serve on {base}")
            with context as proc, RssWatch(proc.pid, pss=True) as watch, requests.Session() as session:
                lat = {}
                for name in names:
                    calls = [engines.question_call(session, base, name, p, a.timeout + 15) for p in params[name]]
                    lat[name] = engines.time_http(calls, budget_s=a.budget, min_runs=a.min_runs,
                                                  timeout_s=a.timeout)
                    say(f"  klaster {name}: {lat[name].summary()}")
                record("klaster_http", lat)
                self.state["server_peak_rss_mb"] = max(self.state.get("server_peak_rss_mb", 0), watch.peak_mb)
                self.state["server_peak_pss_mb"] = max(self.state.get("server_peak_pss_mb", 0), watch.peak_pss_mb)
            self.save()

        direct = {n: [direct_query(n, p) for p in params[n]] for n in names}
        if "pyoxigraph" in wanted:
            say("pyoxigraph in-process (direct SPARQL)")
            lat, _, peak = engines.run_inprocess("pyoxigraph", str(self.store), direct, budget_s=a.budget,
                                                 min_runs=a.min_runs, timeout_s=a.timeout)
            record("pyoxigraph", lat)
            self.save()

        if wanted & {"oxigraph_server", "virtuoso"} and not self.dump.exists():
            say("exporting the store for the other engines: klaster export")
            self.dump.parent.mkdir(exist_ok=True)
            result = klaster("export", "--out", str(self.dump), "--store", str(self.store))
            self.state["export_seconds"] = result.seconds

        if "oxigraph_server" in wanted:
            if engines.oxigraph_binary() is None:
                self.state.setdefault("absent", {})["oxigraph_server"] = "the oxigraph CLI is not installed (pip install oxigraph)"
            else:
                location = self.dir / "oxigraph"
                if not (a.reuse and location.exists() and "oxigraph_load" in self.state):
                    say("oxigraph load")
                    self.state["oxigraph_load"] = engines.oxigraph_load(self.dump, location)
                    self.save()
                with engines.oxigraph_server(location, a.timeout, self.dir / "oxigraph.log") as endpoint, \
                        requests.Session() as session:
                    lat = self._time_sparql(session, endpoint, direct, "oxigraph")
                record("oxigraph_server", lat)
                self.save()

        if "virtuoso" in wanted:
            if engines.virtuoso_binaries() is None:
                self.state.setdefault("absent", {})["virtuoso"] = "virtuoso-t/isql-vt not installed (Debian virtuoso-opensource)"
            else:
                folder = self.dir / "virtuoso"
                load = not (a.reuse and (folder / "virtuoso.db").exists() and "virtuoso_load" in self.state)
                say("Virtuoso: " + ("bulk load with ld_dir/rdf_loader_run" if load else "reusing its database"))
                with engines.virtuoso(folder, self.dump, a.timeout, load=load) as (endpoint, info), \
                        requests.Session() as session:
                    if load:
                        self.state["virtuoso_load"] = info
                        self.save()
                    lat = self._time_sparql(session, endpoint, direct, "virtuoso")
                record("virtuoso", lat)
                self.save()

        if wanted & {"rdflib", "pyoxigraph_subset"}:
            self.subset_engines(wanted)

    def _time_sparql(self, session, endpoint: str, direct: dict[str, list[str]], label: str):
        a = self.args
        lat = {}
        for name, queries in direct.items():
            calls = [engines.sparql_call(session, endpoint, q, a.timeout + 15) for q in queries]
            lat[name] = engines.time_http(calls, budget_s=a.budget, min_runs=a.min_runs, timeout_s=a.timeout)
            say(f"  {label} {name}: {lat[name].summary()}")
        return lat

    def subset_engines(self, wanted: set[str]) -> None:
        """rdflib on a smaller synthetic dataset (with the real regions), and pyoxigraph on the same."""
        import pyoxigraph as ox
        a = self.args
        subset = self.dir / "subset"
        subset.mkdir(exist_ok=True)
        synth, base = subset / "synthetic.nq.gz", subset / "base.nq.gz"
        if not synth.exists():
            klaster("synth", "--out", str(synth), "--sentra", str(a.subset_sentra),
                    "--enterprises", str(a.subset_enterprises), "--seed", str(a.seed))
        if not base.exists():  # ontology and reference graphs of the national store
            store = ox.Store.read_only(str(self.store))
            with gzip.open(base, "wb") as handle:
                for name in ("ontology", "reference"):
                    graph = ox.NamedNode(f"https://w3id.org/klaster/id/graph/{name}")
                    ox.serialize(store.quads_for_pattern(None, None, None, graph), handle,
                                 format=ox.RdfFormat.N_QUADS)
            del store
        memory = ox.Store()
        for path in (base, synth):
            with gzip.open(path, "rb") as handle:
                memory.bulk_load(handle, ox.RdfFormat.N_QUADS)
        triples = len(memory)
        params = sample_parameters(_UnionView(memory), count=a.samples, seed=11)
        del memory
        direct = {n: [direct_query(n, p) for p in params[n]] for n in sorted(params)}
        info = {"triples": triples, "sentra": a.subset_sentra, "enterprises": a.subset_enterprises}
        self.state["subset"] = info
        results = self.state.setdefault("questions", {})
        memory_dir = subset / "pyoxigraph-store"
        if "pyoxigraph_subset" in wanted:
            if memory_dir.exists():
                shutil.rmtree(memory_dir)
            disk = ox.Store(str(memory_dir))
            for path in (base, synth):
                with gzip.open(path, "rb") as handle:
                    disk.bulk_load(handle, ox.RdfFormat.N_QUADS)
            disk.flush()
            del disk
            say(f"pyoxigraph on the subset ({triples:,} triples, no inferences)")
            lat, _, _ = engines.run_inprocess("pyoxigraph", str(memory_dir), direct, budget_s=a.budget,
                                              min_runs=a.min_runs, timeout_s=a.timeout)
            results["pyoxigraph_subset"] = {n: l.summary() for n, l in lat.items()}
            self.state.get("carried_over", {}).pop("pyoxigraph_subset", None)
            self.save()
        if "rdflib" in wanted:
            say(f"rdflib on the subset ({triples:,} triples): parsing, then the direct queries")
            lat, load_s, peak = engines.run_inprocess(
                "rdflib", f"{base},{synth}", direct, budget_s=a.budget, min_runs=a.min_runs,
                timeout_s=a.rdflib_timeout, load_timeout_s=3 * 3600)
            results["rdflib"] = {n: l.summary() for n, l in lat.items()}
            self.state.get("carried_over", {}).pop("rdflib", None)
            info.update(rdflib_load_seconds=load_s, rdflib_peak_rss_mb=peak)
            self.save()

    # -- phase 3: throughput -------------------------------------------------------------------
    def throughput(self) -> None:
        a = self.args
        params = self.params()
        rng = random.Random(3)
        mix = [(n, p) for n in sorted(params) for p in params[n]]
        rng.shuffle(mix)
        lookups = [p["sentra"] for p in params.get("linkages", [])]
        sparql_mix = []
        for s in lookups:
            sparql_mix.append(f"SELECT ?p ?o WHERE {{ <{s}> ?p ?o }}")
            sparql_mix.append("PREFIX kl: <https://w3id.org/klaster/ontology#> SELECT (COUNT(?x) AS ?n) "
                              f"WHERE {{ <{s}> kl:locatedIn ?d . ?d kl:parentRegion ?k . ?x kl:within ?k ; a kl:Sentra }}")
        context, base = self.served()
        out = {}
        with context as proc, RssWatch(proc.pid, pss=True) as watch:
            for label, make in (
                    ("questions", lambda s, i: engines.question_call(s, base, *mix[i % len(mix)], a.timeout)),
                    ("sparql", lambda s, i: engines.sparql_call(s, f"{base}/sparql", sparql_mix[i % len(sparql_mix)], a.timeout))):
                say(f"throughput on {label}: {a.clients} clients for {a.duration:.0f} s")
                out[label] = hammer(make, a.clients, a.duration)
                say(f"  {out[label]}")
            self.state["server_peak_rss_mb"] = max(self.state.get("server_peak_rss_mb", 0), watch.peak_mb)
            self.state["server_peak_pss_mb"] = max(self.state.get("server_peak_pss_mb", 0), watch.peak_pss_mb)
        self.state["throughput"] = out
        self.save()

    # -- phase 4: validation -------------------------------------------------------------------
    def validation(self) -> None:
        out = {}
        for rows in self.args.rows:
            for mode in ("validate", "ingest"):
                say(f"{mode} a {rows:,}-row sentra CSV against the national store")
                result = run_timed([sys.executable, str(HERE / "validate_national.py"), mode, str(rows),
                                    str(self.store)], timeout=3 * 3600)
                line = next((l for l in reversed(result.output.splitlines()) if l.startswith("{")), None)
                entry = json.loads(line) if line else {"error": result.output[-1000:]}
                entry["wall_seconds"] = result.seconds
                entry["tree_peak_rss_mb"] = result.peak_rss_mb
                out[f"{mode}_{rows}"] = entry
                say(f"  {entry}")
                self.state["validation"] = out
                self.save()


class _UnionView:
    """An in-memory pyoxigraph store queried with the union of its graphs as default graph."""

    def __init__(self, store) -> None:
        self._store = store

    def query(self, sparql: str):
        return self._store.query(sparql, use_default_graph_as_union=True)


def hammer(make, clients: int, duration: float) -> dict[str, float]:
    """``clients`` threads calling ``make(session, i)()`` for ``duration`` seconds."""
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + duration
    counter = iter(range(10**9))

    def worker() -> None:
        with requests.Session() as session:
            while time.monotonic() < stop:
                with lock:
                    i = next(counter)
                t = time.perf_counter()
                try:
                    make(session, i)()
                    with lock:
                        times.append((time.perf_counter() - t) * 1000)
                except Exception as exc:  # noqa: BLE001 - counted
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}"[:200])

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return {"rps": len(times) / elapsed, "requests": len(times), "errors": len(errors), "clients": clients,
            "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95),
            "seconds": elapsed, "first_error": errors[0] if errors else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default="bench-data", help="working directory (default ./bench-data)")
    parser.add_argument("--reuse", metavar="DIR", help="reuse DIR's dataset, store, dumps and parameters")
    parser.add_argument("--only", choices=PHASES, action="append", help="run only this phase (repeatable)")
    parser.add_argument("--engines", help=f"comma-separated subset of {','.join(ENGINES)}")
    parser.add_argument("--sentra", type=int, default=100_000)
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--subset-sentra", type=int, default=10_000, help="rdflib subset size")
    parser.add_argument("--subset-enterprises", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=20, help="parameter sets per question")
    parser.add_argument("--min-runs", type=int, default=3)
    parser.add_argument("--budget", type=float, default=60, help="seconds per question and engine")
    parser.add_argument("--timeout", type=float, default=60, help="per-query timeout in seconds")
    parser.add_argument("--rdflib-timeout", type=float, default=120)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--memory-limit-mb", type=float, default=14_000,
                        help="stop a load whose process tree exceeds this RSS")
    parser.add_argument("--inference-timeout", type=float, default=3600,
                        help="stop kg.reason.materialise after this many seconds")
    parser.add_argument("--no-report", action="store_true", help="do not rewrite BENCHMARKS.md / results.json")
    parser.add_argument("--report-only", action="store_true", help="only rewrite the reports from DIR/state.json")
    args = parser.parse_args(argv)
    bench = Bench(args)
    if args.report_only:
        from report import write_reports
        print(write_reports(bench.state, machine(), ROOT))
        return 0
    bench.state.setdefault("runs", []).append({"started": time.strftime("%Y-%m-%d %H:%M:%S"),
                                               "phases": args.only or list(PHASES)})
    for phase in args.only or PHASES:
        say(f"=== phase {phase} (working directory {bench.dir})")
        started = time.perf_counter()
        getattr(bench, phase)()
        bench.state.setdefault("phase_seconds", {})[phase] = time.perf_counter() - started
        bench.save()
    from report import write_reports
    table = write_reports(bench.state, machine(), ROOT, write=not args.no_report)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
