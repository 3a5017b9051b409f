"""Renderings of a :class:`~kg.questions.ResultTable`: JSON body, CSV and a plain-text table.

The web service and ``klaster ask`` share them, so both give the same bytes for the same answer.
"""

from __future__ import annotations

import csv
import io
import json

from kg.csv_safety import neutralise
from kg.questions import ResultTable

JSON_MEDIA_TYPE = "application/json"
CSV_MEDIA_TYPE = "text/csv"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _csv_cell(value: object) -> str:
    return neutralise(_cell(value))  # formulas are neutralised (see kg.csv_safety)


def to_json(table: ResultTable, **extra: object) -> str:
    """The JSON body of CONTRACT.md, with ``extra`` keys (e.g. a ``next`` link) added."""
    body = table.as_json()
    body.update(extra)
    return json.dumps(body, ensure_ascii=False, indent=2)


def to_csv(table: ResultTable) -> str:
    """RFC 4180 CSV: a header row of column names, then one line per row (CRLF line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue()


def to_text(table: ResultTable, *, width: int = 60) -> str:
    """An aligned plain-text table for a terminal (long cells cut at ``width`` characters)."""
    def fit(value: object) -> str:
        text = " ".join(_cell(value).split())
        return text if len(text) <= width else text[: width - 1] + "…"

    cells = [[fit(v) for v in row] for row in table.rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(table.columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(table.columns, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    more = " (more: use --param offset=…)" if table.truncated else ""
    lines.append(f"{len(table.rows)} row(s) from offset {table.offset}{more}")
    return "\n".join(lines) + "\n"
