"""``klaster link``: pull owl:sameAs / skos:exactMatch links from another agency's SPARQL endpoint."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.cli.options import add_store_option, settings_from
from kg.links import harvest, read_query
from kg.seed import ensure_store


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "link", help="pull sameAs/exactMatch links from another SPARQL endpoint",
        description="Run a CONSTRUCT, DESCRIBE or SELECT query (SELECT: ?s ?o and optionally ?p) "
        "on another agency's SPARQL endpoint and keep the owl:sameAs and skos:exactMatch / "
        "closeMatch / relatedMatch / broadMatch / narrowMatch links that touch one of our "
        "resources. They are stored in {base}graph/links as a void:Linkset with PROV-O "
        "provenance; running it again for the same endpoint replaces that endpoint's links.")
    parser.add_argument("--endpoint", required=True, metavar="URL", help="the SPARQL endpoint URL")
    parser.add_argument("--query", required=True, type=Path, metavar="FILE",
                        help="a file holding the query")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="give up on the endpoint after this many seconds (default 60)")
    add_store_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    query = read_query(args.query)  # before opening the store: a bad file fails fast
    settings = settings_from(args)
    store = ensure_store(settings)
    try:
        result = harvest(store, endpoint=args.endpoint, query=query, base_iri=settings.base_iri,
                         timeout=args.timeout)
    finally:
        store.close()
    print(f"kept {result.kept} of {result.received} candidate links from {result.endpoint} "
          f"in <{result.graph}> as <{result.linkset}>"
          + (f"; replaced {result.replaced} earlier links" if result.replaced else ""),
          file=sys.stderr)
    return 0
