"""``klaster query``: run a SPARQL query from a file or the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyoxigraph as ox

from kg.cli.options import add_store_option, settings_from
from kg.csv_safety import neutralise_csv
from kg.errors import BadRequest
from kg.namespaces import PREFIXES
from kg.seed import ensure_store

_RESULT_FORMATS = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV,
                   "tsv": ox.QueryResultsFormat.TSV, "xml": ox.QueryResultsFormat.XML}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "query", help="run a SPARQL query",
        description="Run a SPARQL query over the union of all graphs. The prefixes of Klaster's "
        "vocabularies (kl:, skos:, org:, …, and id: for instance data) are predeclared.")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", type=Path, metavar="FILE.rq")
    source.add_argument("-e", "--expression", metavar="SPARQL", help="the query text")
    parser.add_argument("--format", choices=("table", "json", "csv", "tsv", "xml", "turtle"),
                        default="table", help="output format (default: table)")
    add_store_option(parser)
    parser.set_defaults(func=run)


def _term_text(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def render_table(columns: list[str], rows: list[list[str]]) -> str:
    """A plain-text table, columns as wide as their widest cell (capped at 60 characters)."""
    cells = [[c[:60] for c in row] for row in rows]
    widths = [max([len(col)] + [len(r[i]) for r in cells]) for i, col in enumerate(columns)]
    line = "  ".join(col.ljust(w) for col, w in zip(columns, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    if args.file is not None:
        if not args.file.is_file():
            raise BadRequest(f"no such file: {args.file}")
        text = args.file.read_text(encoding="utf-8")
    else:
        text = args.expression
    settings = settings_from(args)
    store = ensure_store(settings)
    try:
        result = store.query(text, prefixes={**PREFIXES, "id": settings.base_iri})
        out = sys.stdout
        if isinstance(result, ox.QuerySolutions):
            if args.format == "turtle":
                raise BadRequest("--format turtle is for CONSTRUCT and DESCRIBE queries")
            if args.format == "table":
                columns = [v.value for v in result.variables]
                rows = [[_term_text(s[c]) for c in columns] for s in result]
                print(render_table(columns, rows), file=out)
            else:
                body = result.serialize(format=_RESULT_FORMATS[args.format])
                out.buffer.write(neutralise_csv(body) if args.format == "csv" else body)
                out.flush()
        elif isinstance(result, ox.QueryBoolean):
            if args.format in ("table", "turtle"):
                print("true" if bool(result) else "false", file=out)
            else:
                out.buffer.write(result.serialize(format=_RESULT_FORMATS[args.format]))
        else:
            fmt = {"json": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML}.get(
                args.format, ox.RdfFormat.TURTLE if args.format in ("table", "turtle")
                else ox.RdfFormat.N_TRIPLES)
            out.buffer.write(ox.serialize(result, format=fmt) or b"")
            out.flush()
    finally:
        store.close()
    return 0
