"""Neutralising spreadsheet formulas in the CSV Klaster writes ("CSV injection").

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before reading a formula) is run as a formula when the CSV is opened in Excel,
LibreOffice or Google Sheets — ``=HYPERLINK(...)`` or ``=cmd|...`` in data a steward submitted would
reach whoever downloads an answer. Every CSV Klaster writes (canned-question answers, SPARQL
``text/csv`` results, ``klaster query``/``ask --format csv``) passes through :func:`neutralise`,
which puts a single quote before such a cell, as OWASP recommends; spreadsheets then show the text.
A plain number (``-7.35``, ``+62``, ``-1e3``) is left alone: it is not a formula, and quoting it
would turn coordinates into text. TSV and the JSON/XML formats are not changed (TSV quotes every
literal).
"""

from __future__ import annotations

import csv
import io
import re

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
#: A cell that may need neutralising starts a line or follows a comma (optionally quoted).
_RISKY = re.compile(rb'(?:^|,|\n)"?[=+\-@\t\r]')


def neutralise(cell: str) -> str:
    """``cell``, with a leading ``'`` when a spreadsheet would read it as a formula."""
    if cell.startswith(_TRIGGERS) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def neutralise_csv(body: bytes) -> bytes:
    """RFC 4180 CSV (UTF-8, CRLF) with every formula-like cell neutralised; unchanged bytes when
    no cell needs it."""
    if not _RISKY.search(body):
        return body
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    if not any(neutralise(cell) != cell for row in rows for cell in row):
        return body
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue().encode("utf-8")
