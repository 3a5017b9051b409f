"""Measure the two ways of materialising inferences: owlrl and Klaster's targeted SPARQL rules.

    python3 tests/benchmarks/bench_reasoning.py [--province 35.15]

Both run on the same data: the ontology, the sample data and the reference regions under one code
prefix (default Sidoarjo; owlrl took over 7 CPU-minutes without finishing on Jawa Timur's 9,000
regions); the SPARQL rules are also timed on the whole country. Prints a Markdown table for the README's "Reasoning" section.
"""

from __future__ import annotations

import argparse
import resource
import time

import pyoxigraph as ox
import rdflib

from kg.namespaces import graph_iri
from kg.reason import materialise
from kg.reference import reference_triples
from kg.resources import data_file, package_data
from kg.settings import load_settings
from kg.store import EmbeddedStore

def dataset(base: str, province: str | None) -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    onto = ox.NamedNode(graph_iri(base, "ontology"))
    for t in ox.parse(path=str(data_file("ontology", "klaster.ttl")), format=ox.RdfFormat.TURTLE):
        quads.append(ox.Quad(t.subject, t.predicate, t.object, onto))
    ref = ox.NamedNode(graph_iri(base, "reference"))
    prefix = f"{base}wilayah/{province}" if province else None
    for t in reference_triples(base):
        s = t.subject.value if isinstance(t.subject, ox.NamedNode) else ""
        if prefix and s.startswith(f"{base}wilayah/") and not s.startswith(prefix):
            continue
        quads.append(ox.Quad(t.subject, t.predicate, t.object, ref))
    sample = ox.NamedNode(graph_iri(base, "sample"))
    for path in sorted(package_data("sample").glob("*.ttl")):
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base):
            quads.append(ox.Quad(t.subject, t.predicate, t.object, sample))
    return quads


def sparql_rules(quads: list[ox.Quad]) -> tuple[float, int]:
    settings = load_settings({})
    store = EmbeddedStore()
    store.add(quads)
    started = time.perf_counter()
    summary = materialise(store, settings)
    return time.perf_counter() - started, summary.inferred_triples


def owlrl_closure(quads: list[ox.Quad], semantics: str) -> tuple[float, int]:
    import owlrl

    graph = rdflib.Graph()
    text = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
    graph.parse(data=text, format="nt")
    before = len(graph)
    started = time.perf_counter()
    closure = owlrl.OWLRL_Semantics if semantics == "owlrl" else owlrl.RDFS_Semantics
    owlrl.DeductiveClosure(closure, axiomatic_triples=False,
                           datatype_axioms=False).expand(graph)
    return time.perf_counter() - started, len(graph) - before


def _owlrl_child(quads_nt: bytes, semantics: str, out) -> None:
    quads = [ox.Quad(t.subject, t.predicate, t.object)
             for t in ox.parse(quads_nt, format=ox.RdfFormat.N_TRIPLES)]
    out.send(owlrl_closure(quads, semantics))


def owlrl_limited(quads: list[ox.Quad], semantics: str, limit: float) -> tuple[float, int] | None:
    """owlrl in a child process, stopped after ``limit`` seconds (None then)."""
    import multiprocessing

    text = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.Process(target=_owlrl_child, args=(text, semantics, child))
    process.start()
    if parent.poll(limit):
        result = parent.recv()
        process.join()
        return result
    process.kill()
    process.join()
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=float, default=600.0,
                        help="seconds after which an owlrl run is stopped (default 600)")
    parser.add_argument("--province", default="35.15",
                        help="Kemendagri code prefix of the regions owlrl gets (default: Sidoarjo)")
    args = parser.parse_args()
    base = load_settings({}).base_iri
    subset = dataset(base, args.province)
    print("| method | input triples | seconds | triples inferred |")
    print("|---|---:|---:|---:|", flush=True)

    def row(name: str, size: int, secs: float, inferred: int) -> None:
        print(f"| {name} | {size:,} | {secs:.1f} | {inferred:,} |", flush=True)

    where = f"regions under {args.province}"
    row(f"SPARQL rules (kg.reason), {where}", len(subset), *sparql_rules(subset))
    for semantics in ("rdfs", "owlrl"):
        name = f"owlrl {semantics.upper()} closure, {where}"
        result = owlrl_limited(subset, semantics, args.limit)
        if result is None:
            print(f"| {name} | {len(subset):,} | > {args.limit:.0f} (stopped) | – |", flush=True)
        else:
            row(name, len(subset), *result)
    national = dataset(base, None)
    row("SPARQL rules (kg.reason), all of Indonesia", len(national), *sparql_rules(national))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {peak:,.0f} MB; {time.strftime('%Y-%m-%d')}")


if __name__ == "__main__":
    main()
