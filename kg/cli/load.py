"""``klaster load``: bulk-load RDF files with a progress bar, then recompute inferences."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from kg.errors import BadRequest
from kg.namespaces import GRAPH_INFERRED, graph_iri
from kg.derive import recompute
from kg.seed import is_seeded, seed
from kg.cli.options import add_store_option, settings_from
from kg.store import node, open_store, rdf_format

#: Where triples go when no --graph is given.
DEFAULT_GRAPH_NAME = "loaded"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "load", help="bulk-load RDF files (any common syntax), with progress",
        description="Load RDF files into the store. Syntax comes from the file extension "
        "(.ttl .nt .nq .trig .jsonld .rdf .n3, optionally .gz). Triples go into --graph "
        f"(default {{base}}graph/{DEFAULT_GRAPH_NAME}); quads keep their graphs. Inferences are "
        "recomputed afterwards. A new store is seeded first, except when every file is a dataset "
        "(N-Quads, TriG), such as a dump from 'klaster export': then it holds exactly that.")
    parser.add_argument("files", nargs="+", metavar="FILE", type=Path)
    parser.add_argument("--graph", metavar="IRI", help="named graph for triple formats")
    add_store_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    formats = {}
    for path in args.files:  # check everything before touching the store
        if not path.is_file():
            raise BadRequest(f"no such file: {path}")
        formats[path] = rdf_format(path)
    graph = args.graph
    if graph is not None:
        node(graph)
        if graph == graph_iri(settings.base_iri, GRAPH_INFERRED):
            raise BadRequest("the inferred graph is computed; load into another graph")
    # A new store is seeded first, unless every file is a dataset (N-Quads, TriG): loading a
    # dump made by `klaster export` into a new store restores exactly that dataset.
    restoring = all(fmt.supports_datasets for fmt in formats.values())
    store = open_store(settings.store, settings=settings)
    try:
        if not (restoring and store.count(all_graphs=True) == 0) and not is_seeded(store, settings):
            seed(store, settings, say=lambda text: print(f"klaster: {text}", file=sys.stderr))
        before = store.count(all_graphs=True)
        for path, fmt in formats.items():
            target = graph
            if target is None and not fmt.supports_datasets:
                target = graph_iri(settings.base_iri, DEFAULT_GRAPH_NAME)
            with tqdm(total=path.stat().st_size, unit="B", unit_scale=True, desc=path.name,
                      file=sys.stderr, disable=None) as bar:
                store.load(path, format=fmt, graph=target, progress=bar.update)
        loaded = store.count(all_graphs=True) - before
        derived = recompute(store, settings,
                            say=lambda text: print(f"klaster: {text}", file=sys.stderr))
    finally:
        store.close()
    print(f"loaded {len(formats)} file(s): {loaded:+,} quads; {derived.reasoning.inferred_triples:,} inferred "
          f"triples, {derived.aggregates.figures:,} aggregate figures ({derived.seconds:.1f} s)")
    return 0
