"""``klaster serve``: the web service under a production WSGI server."""

from __future__ import annotations

import argparse

from kg.cli.options import add_store_option, settings_from


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="run the web service (SPARQL endpoint, Graph Store, pages)",
        description="Serve Klaster over HTTP with waitress. The store is created and seeded when new.")
    add_store_option(parser)
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from service.server import serve  # deferred: the CLI must not import Flask for other commands

    serve(settings_from(args), host=args.host, port=args.port)
    return 0
