"""``klaster export``: dump the whole dataset; loading the dump gives an isomorphic dataset."""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

import pyoxigraph as ox

from kg.cli.options import add_store_option, settings_from
from kg.errors import BadRequest
from kg.seed import ensure_store

_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="dump the whole dataset (all graphs)",
        description="Write every graph of the store as N-Quads or TriG, streamed. A name ending "
        "in .gz is gzip-compressed. Without --out the dump goes to standard output.")
    parser.add_argument("--out", type=Path, metavar="FILE")
    parser.add_argument("--format", choices=tuple(_FORMATS), default="nquads")
    add_store_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.out is not None and not args.out.parent.is_dir():
        raise BadRequest(f"no such directory: {args.out.parent}")
    store = ensure_store(settings)
    try:
        fmt = _FORMATS[args.format]
        if args.out is None:
            store.dump(sys.stdout.buffer, format=fmt)
            sys.stdout.flush()
            return 0
        opener = gzip.open if args.out.name.endswith(".gz") else open
        with opener(args.out, "wb") as handle:
            store.dump(handle, format=fmt)
        count = store.count(all_graphs=True)
    finally:
        store.close()
    print(f"exported {count:,} quads to {args.out}", file=sys.stderr)
    return 0
