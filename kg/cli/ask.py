"""``klaster ask``: run a canned question from ``queries/`` (the same function as ``GET /api/{name}``)."""

from __future__ import annotations

import argparse
import sys

from kg.cli.options import add_store_option, settings_from
from kg.errors import BadRequest
from kg.question_output import to_csv, to_json, to_text
from kg.questions import get_question, load_questions, run_question
from kg.seed import ensure_store
from kg.settings import Settings
from kg.store import Store

FORMATS = ("table", "json", "csv")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ask", help="run a canned question",
        description="Run a canned question from queries/ with typed parameters, e.g. "
        "'klaster ask technology-partners --param sentra=id:sentra/wedoro'. "
        "Paging: --param limit=N --param offset=M. The questions and their parameters are "
        "listed at GET /api and in the README.")
    parser.add_argument("name", metavar="NAME", help="the question, e.g. technology-partners")
    parser.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                        help="a parameter value (repeatable)")
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="output format (default: table)")
    add_store_option(parser)
    parser.set_defaults(func=run)


def parse_params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise BadRequest(f"--param needs KEY=VALUE, got {pair!r}")
        if key in params:
            raise BadRequest(f"parameter {key!r} given twice", parameter=key)
        params[key] = value
    return params


def ask(store: Store, settings: Settings, name: str, params: dict[str, str], fmt: str = "table") -> str:
    """The answer to question ``name`` rendered as ``fmt`` (table, json or csv)."""
    questions = load_questions(base_iri=settings.base_iri)
    question = get_question(questions, name)
    table = run_question(store, question, params, base_iri=settings.base_iri,
                         max_rows=settings.max_rows)
    if fmt == "json":
        return to_json(table) + "\n"
    if fmt == "csv":
        return to_csv(table)
    return to_text(table)


def run(args: argparse.Namespace) -> int:
    params = parse_params(args.param)
    settings = settings_from(args)
    store = ensure_store(settings)
    try:
        sys.stdout.write(ask(store, settings, args.name, params, args.format))
        sys.stdout.flush()
    finally:
        store.close()
    return 0
