"""A question's answer as a table for people: labels instead of IRIs, links to the resource pages.

:func:`view_table` folds a column ``x`` and its label column ``x_label`` into one cell (the label,
linked to ``x``), pairs ``shared_items`` with ``shared_item_iris`` (each item linked), and turns
IRIs under the instance base into local links ``/id/{path}`` (the Linked Data pages) and ontology
terms into ``/ontology#{name}``. Other IRIs stay external links. Numbers are rounded for reading;
the exact values stay in the JSON/CSV downloads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kg.namespaces import KL
from kg.questions import ResultTable

#: Columns whose value is the label of another column that has no ``_label`` suffix.
_LABEL_OF = {"label": "resource"}


@dataclass(frozen=True)
class Link:
    text: str
    href: str
    iri: str


@dataclass(frozen=True)
class Cell:
    text: str = ""
    links: tuple[Link, ...] = ()
    numeric: bool = False


@dataclass(frozen=True)
class TableView:
    columns: tuple[str, ...]          # the shown columns (after folding)
    rows: tuple[tuple[Cell, ...], ...]


def is_iri(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://", "urn:"))


def local_href(iri: str, *, base_iri: str, root: str = "") -> str:
    """The page for ``iri``: ``{root}/id/{path}`` under the base, ``{root}/ontology#{name}`` for
    ontology terms, the IRI itself otherwise."""
    if iri.startswith(base_iri):
        return f"{root}/id/{iri[len(base_iri):]}"
    if iri.startswith(KL):
        return f"{root}/ontology#{iri[len(KL):]}"
    return iri


def short_iri(iri: str, *, base_iri: str) -> str:
    if iri.startswith(base_iri):
        return "id:" + iri[len(base_iri):]
    if iri.startswith(KL):
        return "kl:" + iri[len(KL):]
    return iri


def format_value(value: object, *, yes: str = "ya", no: str = "tidak") -> Cell:
    if value is None:
        return Cell()
    if isinstance(value, bool):
        return Cell(yes if value else no)
    if isinstance(value, int):
        return Cell(str(value), numeric=True)
    if isinstance(value, float):
        text = f"{value:.3f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:.0f}"
        return Cell(text, numeric=True)
    return Cell(str(value))


def view_table(table: ResultTable, *, base_iri: str, root: str = "", yes: str = "ya",
               no: str = "tidak") -> TableView:
    columns = list(table.columns)
    label_for: dict[str, str] = {}
    for column in columns:
        if column.endswith("_label") and column[: -len("_label")] in columns:
            label_for[column[: -len("_label")]] = column
        elif column in _LABEL_OF and _LABEL_OF[column] in columns:
            label_for[_LABEL_OF[column]] = column
    items_pair = "shared_items" in columns and "shared_item_iris" in columns
    hidden = set(label_for.values()) | ({"shared_item_iris"} if items_pair else set())
    # the folded IRI column is shown under the label column's position when that comes first
    shown = [c for c in columns if c not in hidden]
    rows = []
    for values in table.rows:
        row = dict(zip(columns, values))
        cells = []
        for column in shown:
            value = row.get(column)
            if column in label_for and is_iri(value):
                text = row.get(label_for[column]) or short_iri(str(value), base_iri=base_iri)
                link = Link(str(text), local_href(str(value), base_iri=base_iri, root=root), str(value))
                cells.append(Cell(str(text), (link,)))
            elif items_pair and column == "shared_items":
                cells.append(_items(row.get("shared_items"), row.get("shared_item_iris"),
                                    base_iri=base_iri, root=root))
            elif is_iri(value):
                iri = str(value)
                text = short_iri(iri, base_iri=base_iri)
                cells.append(Cell(text, (Link(text, local_href(iri, base_iri=base_iri, root=root), iri),)))
            else:
                cells.append(format_value(value, yes=yes, no=no))
        rows.append(tuple(cells))
    return TableView(tuple(shown), tuple(rows))


def _items(labels: object, iris: object, *, base_iri: str, root: str) -> Cell:
    """``"a; b"`` with ``"iri-a iri-b"``: linked when the counts agree, plain text otherwise."""
    text = str(labels or "")
    names = [n for n in text.split("; ") if n] if text else []
    targets: Sequence[str] = str(iris or "").split()
    if names and len(names) == len(targets):
        return Cell(text, tuple(Link(n, local_href(t, base_iri=base_iri, root=root), t)
                                for n, t in zip(names, targets)))
    return Cell(text)
