"""``klaster init``: create and seed a store (idempotent)."""

from __future__ import annotations

import argparse
import sys

from kg.cli.options import add_store_option, settings_from
from kg.seed import seed
from kg.store import open_store


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("init", help="create and seed a store",
                                   description="Create a store and seed it with the ontology, the "
                                   "reference data and the sample data. Running it again replaces "
                                   "those graphs; it never duplicates data.")
    add_store_option(parser)
    parser.add_argument("--no-sample", action="store_true", help="leave the sample data out")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    store = open_store(settings.store, settings=settings)
    try:
        summary = seed(store, settings, sample=not args.no_sample,
                       say=lambda text: print(f"klaster: {text}", file=sys.stderr))
    finally:
        store.close()
    for name, count in summary.graphs.items():
        print(f"{name:<10} {count:>9,} triples")
    print(f"{'inferred':<10} {summary.inferred:>9,} triples")
    print(f"store ready at {settings.store} in {summary.seconds:.1f} s")
    return 0
