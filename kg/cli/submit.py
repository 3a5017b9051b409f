"""``klaster submit``: validate a file, then ingest it atomically as a new submission.

The command line runs with local authority (whoever can open the store directory can write it), so
there is no token: the ``--steward`` name is recorded as the submission's author, and replacing a
submission checks that it belongs to that steward. Exit codes: 0 stored, 1 rejected (violations,
nothing stored), 2 unreadable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kg.auth import Principal, open_registry
from kg.cli.options import add_setting_option, add_store_option, settings_from
from kg.errors import BadRequest
from kg.seed import ensure_store
from kg.submissions import submit


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "submit", help="validate, then ingest atomically as a new submission",
        description="Validate FILE (CSV, XLSX, Turtle or JSON-LD) against the shapes and, when it "
        "has no violations, store it in its own named graph with its provenance, in one "
        "transaction. Prints the new submission's id, or the validation report. Exit 0: stored; "
        "1: rejected (nothing stored); 2: unreadable input.")
    parser.add_argument("file", metavar="FILE", type=Path)
    parser.add_argument("--steward", required=True, metavar="NAME",
                        help="the steward the submission is attributed to")
    parser.add_argument("--kind", metavar="K", help="template kind (e.g. sentra); guessed when absent")
    parser.add_argument("--replaces", metavar="ID", help="the submission this one replaces")
    parser.add_argument("--lang", choices=("id", "en"), default="id",
                        help="language of the report's messages (default id)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    add_store_option(parser)
    add_setting_option(parser, "auth_db")
    parser.set_defaults(func=run)


def _message(finding: object, lang: str) -> str:
    message = getattr(finding, "message", None)
    if isinstance(message, dict):
        return message.get(lang) or message.get("en") or next(iter(message.values()), "")
    return str(message or "")


def report_lines(report: object, lang: str) -> list[str]:
    """A plain-text report: one line per finding, spreadsheet-style row and column first."""
    lines = []
    for f in getattr(report, "findings", ()):
        where = []
        if getattr(f, "row", None) is not None:
            where.append(f"row {f.row}")
        if getattr(f, "column", None):
            where.append(f"column {f.column}")
        if not where and getattr(f, "focus", None):
            where.append(str(f.focus))
        value = getattr(f, "value", None)
        severity = str(getattr(f, "severity", "")).rsplit("#", 1)[-1].upper()
        lines.append(f"{severity}: {', '.join(where)}: {_message(f, lang)}"
                     + (f" (value {value!s})" if value is not None else ""))
    counts = report.counts() if hasattr(report, "counts") else {}
    lines.append("counts: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return lines


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if not args.file.is_file():
        raise BadRequest(f"no such file: {args.file}")
    data = args.file.read_bytes()
    principal = Principal(args.steward, "steward")
    store = ensure_store(settings, say=lambda text: print(f"klaster: {text}", file=sys.stderr))
    try:
        outcome = submit(store, settings, data, principal=principal, filename=args.file.name,
                         kind=args.kind, replaces=args.replaces)
    finally:
        store.close()
    registry = open_registry(settings)
    if not outcome.accepted:
        registry.log(principal, "submit-rejected", args.file.name, "via cli")
        if args.json:
            print(json.dumps({"accepted": False, "counts": outcome.report.counts()}, indent=2))
        print("\n".join(report_lines(outcome.report, args.lang)),
              file=sys.stdout if not args.json else sys.stderr)
        print("klaster: rejected: nothing was stored", file=sys.stderr)
        return 1
    record = outcome.record
    assert record is not None
    registry.log(principal, "replace" if args.replaces else "submit", record.id,
                 f"via cli; replaces {args.replaces}" if args.replaces else "via cli")
    if args.json:
        print(json.dumps(record.to_json(), indent=2))
    else:
        if outcome.report.findings:
            print("\n".join(report_lines(outcome.report, args.lang)), file=sys.stderr)
        print(record.id)
    return 0
