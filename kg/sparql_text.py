"""Small lexical facts about SPARQL text that pyoxigraph does not expose from Python.

The SPARQL protocol needs to know whether a query names its own dataset (``FROM``), whether an
update names one (``USING``/``WITH``), and to add ``USING`` clauses for ``using-graph-uri``. These
look at the text with strings, IRIs and comments blanked out, so a keyword inside a literal or a
comment never counts. The text is never assembled from user values here: graph IRIs are validated
with pyoxigraph before they are written as ``<iri>``.

It also holds the two helpers that the derived-data modules (aggregates, sharing, reasoning, the
search index) use to write ``VALUES`` blocks of IRIs taken from the store, in batches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

import pyoxigraph as ox

from kg.errors import BadRequest

_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*",
    re.S)


def _keyword(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w?$:.\-]){word}(?![\w:\-])", re.I)


_FROM = _keyword("FROM")
_USING_OR_WITH = re.compile(rf"{_keyword('USING').pattern}|{_keyword('WITH').pattern}", re.I)
_WHERE = _keyword("WHERE")
_DELETE_BEFORE = re.compile(r"(?<![\w?$:.\-])DELETE\s*$", re.I)


T = TypeVar("T")


def batches(items: Sequence[T], size: int = 2_000) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size`` (one ``VALUES`` block each)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def iri_values(iris: Iterable[str]) -> str:
    """IRIs read from the store, written as the terms of a ``VALUES`` block: ``<a> <b>``."""
    return " ".join(f"<{iri}>" for iri in iris)


def mask(sparql: str) -> str:
    """``sparql`` with strings, IRIs and comments replaced by spaces (same length, same lines)."""
    return _OPAQUE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), sparql)


def has_dataset_clause(query: str) -> bool:
    """True when a query has ``FROM`` or ``FROM NAMED``."""
    return bool(_FROM.search(mask(query)))


def has_using_or_with(update: str) -> bool:
    """True when an update has ``USING``, ``USING NAMED`` or ``WITH``."""
    return bool(_USING_OR_WITH.search(mask(update)))


def _iri(value: str) -> str:
    try:
        return str(ox.NamedNode(value))
    except ValueError as exc:
        raise BadRequest(f"not a valid graph IRI: {value!r} ({exc})") from None


def add_using(update: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """Add ``USING``/``USING NAMED`` clauses before the ``WHERE`` of every modify operation.

    This is how the SPARQL 1.1 Protocol defines ``using-graph-uri`` and ``using-named-graph-uri``:
    as if each operation had those clauses. ``DELETE WHERE`` takes no dataset and is left alone.
    """
    if not default_graphs and not named_graphs:
        return update
    clause = " ".join([f"USING {_iri(g)}" for g in default_graphs]
                      + [f"USING NAMED {_iri(g)}" for g in named_graphs]) + " "
    masked = mask(update)
    inserts: list[int] = []
    depth = 0
    last = 0
    for match in re.finditer(r"[{}]|" + _WHERE.pattern, masked, re.I):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0 and not _DELETE_BEFORE.search(masked[last:match.start()]):
            inserts.append(match.start())
        last = match.end()
    out, prev = [], 0
    for pos in inserts:
        out.append(update[prev:pos])
        out.append(clause)
        prev = pos
    out.append(update[prev:])
    return "".join(out)


def enclosing_group(sparql: str, position: int) -> tuple[int, int]:
    """The span ``(start, end)`` of the innermost ``{ … }`` group around ``position`` (braces in
    strings, IRIs and comments do not count); ``sparql[start] == "{"``, ``sparql[end - 1] == "}"``.
    Raises ``ValueError`` when ``position`` is not inside a group."""
    masked = mask(sparql)
    depth, start = 0, position
    while True:
        start -= 1
        if start < 0:
            raise ValueError("not inside a { } group")
        if masked[start] == "}":
            depth += 1
        elif masked[start] == "{":
            if depth == 0:
                break
            depth -= 1
    depth, end = 0, position
    while True:
        if end >= len(masked):
            raise ValueError("the { } group is not closed")
        if masked[end] == "{":
            depth += 1
        elif masked[end] == "}":
            if depth == 0:
                return start, end + 1
            depth -= 1
        end += 1


def values_block(variables: Sequence[str], rows: Iterable[Sequence[ox.NamedNode | ox.Literal | None]]
                 ) -> str:
    """A ``VALUES`` block binding ``variables`` to ``rows`` of terms read from a store (``None`` is
    ``UNDEF``). Blank nodes cannot be written in ``VALUES``: ``ValueError``."""
    lines = []
    for row in rows:
        cells = []
        for term in row:
            if isinstance(term, ox.BlankNode):
                raise ValueError("a blank node cannot be bound in VALUES")
            cells.append("UNDEF" if term is None else str(term))
        lines.append(f"    ({' '.join(cells)})")
    head = " ".join(f"?{v}" for v in variables)
    return f"VALUES ({head}) {{\n" + "\n".join(lines) + ("\n" if lines else "") + "  }"
