"""Measure the two ways of materialising inferences: owlrl and Klaster's targeted SPARQL rules.

    python3 tests/benchmarks/bench_reasoning.py [--province 35]

Both run on the same data: the ontology, the sample data and the reference regions of one province
(owlrl cannot take the national region list in reasonable time; the SPARQL rules are also timed on
the whole country). Prints a Markdown table for the README's "Reasoning" section.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--province", default="35")
    args = parser.parse_args()
    base = load_settings({}).base_iri
    subset = dataset(base, args.province)
    rows = []
    seconds, inferred = sparql_rules(subset)
    rows.append((f"SPARQL rules (kg.reason), province {args.province}", len(subset), seconds, inferred))
    for semantics in ("rdfs", "owlrl"):
        seconds, inferred = owlrl_closure(subset, semantics)
        rows.append((f"owlrl {semantics.upper()} closure, province {args.province}",
                     len(subset), seconds, inferred))
    national = dataset(base, None)
    seconds, inferred = sparql_rules(national)
    rows.append(("SPARQL rules (kg.reason), all of Indonesia", len(national), seconds, inferred))
    print("| method | input triples | seconds | triples inferred |")
    print("|---|---:|---:|---:|")
    for name, size, secs, inf in rows:
        print(f"| {name} | {size:,} | {secs:.1f} | {inf:,} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {peak:,.0f} MB; {time.strftime('%Y-%m-%d')}")


if __name__ == "__main__":
    main()
