"""``klaster validate``: SHACL-validate a submission file; stores nothing.

Exit status: 0 the file conforms (warnings allowed), 1 it has violations, 2 it cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg import report as reports
from kg.cli.options import add_store_option, settings_from
from kg.csvw import KINDS
from kg.errors import BadRequest


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate", help="validate a submission (CSV, XLSX, Turtle, JSON-LD); stores nothing",
        description="Check a submission against Klaster's SHACL shapes and the stored reference data "
        "(region codes, KBLI, existing sentra). Exit 0: conforms (warnings allowed); 1: violations; "
        "2: unreadable input.")
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument("--format", choices=("text", "json", "turtle", "html"), default="text",
                        help="report format (default: text)")
    parser.add_argument("--kind", choices=KINDS, default=None,
                        help="template of a tabular file (default: recognised from its header row)")
    parser.add_argument("--lang", choices=reports.LANGUAGES, default="id",
                        help="language of the messages (default: id)")
    parser.add_argument("--replaces", metavar="GRAPH", default=None,
                        help="IRI of the submission graph this file replaces (its identifiers may be reused)")
    add_store_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kg.seed import ensure_store
    from kg.validate import read_submission, validate_submission

    if not args.file.is_file():
        raise BadRequest(f"no such file: {args.file}")
    settings = settings_from(args)
    submission = read_submission(args.file.read_bytes(), filename=args.file.name, kind=args.kind,
                                 base_iri=settings.base_iri)
    with ensure_store(settings) as store:
        report = validate_submission(store, submission, base_iri=settings.base_iri,
                                     replaces=args.replaces)
    if args.format == "json":
        sys.stdout.write(reports.to_json_text(report, lang=args.lang, submission=submission) + "\n")
    elif args.format == "turtle":
        sys.stdout.buffer.write(reports.to_turtle(report))
    elif args.format == "html":
        sys.stdout.write(reports.to_html(report, lang=args.lang, submission=submission))
    else:
        sys.stdout.write(reports.to_text(report, lang=args.lang, submission=submission))
    sys.stdout.flush()
    return 0 if report.conforms else 1
