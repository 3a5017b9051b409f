"""A small interpreter of CSVW metadata: tabular rows → RDF triples.

The mapping for each kind of submission is data: ``kg/data/templates/{kind}.csv-metadata.json``
(CSV on the Web, https://www.w3.org/TR/tabular-metadata/). This module reads one such file into a
:class:`TableSchema` and turns rows into triples following the CSVW "minimal mode" rules:

- every row describes the subject ``aboutUrl`` (table or column level);
- a column gives ``propertyUrl`` a value: an IRI from ``valueUrl`` or a literal typed by
  ``datatype`` (``lang`` for text); ``separator`` splits a cell into several values;
- ``virtual`` columns add fixed triples (``rdf:type``…); ``suppressOutput`` columns feed templates only;
- an empty cell gives no triple, and neither does a template one of whose variables is empty.

Templates are RFC 6570 level 2: ``{name}`` (percent-encoded) and ``{+name}`` (reserved characters
kept); ``{+base}`` is the instance base IRI. Three extension properties (allowed by CSVW as
non-core annotations) keep the mapping declarative where CSVW has no word: ``kl:valueMap`` (cell text
→ the value used in templates), ``kl:literal`` (a literal template) and ``kl:requires`` (columns that
must have a value for a virtual column to apply).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from kg.errors import NotFound
from kg.namespaces import PREFIXES, SCHEMA, XSD
from kg.resources import package_data

#: Prefixes a metadata file may use in ``propertyUrl`` and ``valueUrl``.
CURIE_PREFIXES: dict[str, str] = {**PREFIXES, "schema": SCHEMA, "dc": "http://purl.org/dc/terms/"}

_VARIABLE = re.compile(r"\{(\+?)([A-Za-z_][A-Za-z0-9_]*)\}")
_SAFE = "-._~"
_RESERVED_SAFE = _SAFE + ":/?#[]@!$&'()*+,;=%"

_INTEGER = re.compile(r"[+-]?\d+")
_THOUSANDS_DOT = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+")
_TRUE = {"true", "ya", "y", "1", "benar", "yes"}
_FALSE = {"false", "tidak", "t", "0", "salah", "no"}


def expand_curie(value: str) -> str:
    prefix, sep, local = value.partition(":")
    if sep and prefix in CURIE_PREFIXES and not local.startswith("//"):
        return CURIE_PREFIXES[prefix] + local
    return value


@dataclass(frozen=True)
class Column:
    """One column (or virtual column) of a table schema."""

    name: str | None
    titles: Mapping[str, tuple[str, ...]]
    property: str | None
    datatype: str = XSD + "string"
    pattern: str | None = None
    required: bool = False
    separator: str | None = None
    lang: str | None = None
    about: str | None = None
    value: str | None = None
    literal: str | None = None
    virtual: bool = False
    suppress: bool = False
    default: str = ""
    value_map: Mapping[str, str] = field(default_factory=dict)
    requires: tuple[str, ...] = ()

    def title(self, lang: str) -> str:
        names = self.titles.get(lang) or self.titles.get("id") or (self.name or "",)
        return names[0]


@dataclass(frozen=True)
class TableSchema:
    kind: str
    title: Mapping[str, str]
    about: str
    columns: tuple[Column, ...]
    version: str
    example: Mapping[str, str]
    metadata: Mapping[str, object]

    @property
    def data_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.virtual)

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.data_columns if c.required)

    def column_for(self, header: str) -> Column | None:
        key = header.strip().lower()
        for column in self.data_columns:
            if key == (column.name or "").lower() or any(
                    key == t.lower() for names in column.titles.values() for t in names):
                return column
        return None

    def columns_by_property(self) -> dict[str, str]:
        """Property IRI → column name (the first column that states it)."""
        result: dict[str, str] = {}
        for column in self.data_columns:
            if column.property and column.name and not column.suppress:
                result.setdefault(column.property, column.name)
        return result


def _datatype(spec: object) -> tuple[str, str | None]:
    if spec is None:
        return XSD + "string", None
    if isinstance(spec, str):
        return (spec if ":" in spec and "/" in spec else XSD + spec), None
    if isinstance(spec, dict):
        base = str(spec.get("base", "string"))
        return XSD + base, spec.get("format")
    raise ValueError(f"bad datatype {spec!r}")


def _titles(spec: object) -> dict[str, tuple[str, ...]]:
    if spec is None:
        return {}
    if isinstance(spec, str):
        return {"id": (spec,)}
    if isinstance(spec, list):
        return {"id": tuple(spec)}
    return {lang: tuple(v if isinstance(v, list) else [v]) for lang, v in dict(spec).items()}


def parse_metadata(kind: str, metadata: Mapping[str, object]) -> TableSchema:
    """A :class:`TableSchema` from CSVW metadata (a JSON object)."""
    schema = metadata.get("tableSchema")
    if not isinstance(schema, dict) or not isinstance(schema.get("columns"), list):
        raise ValueError(f"CSVW metadata of {kind!r} has no tableSchema with columns")
    columns = []
    for spec in schema["columns"]:
        datatype, pattern = _datatype(spec.get("datatype"))
        columns.append(Column(
            name=spec.get("name"), titles=_titles(spec.get("titles")),
            property=expand_curie(spec["propertyUrl"]) if spec.get("propertyUrl") else None,
            datatype=datatype, pattern=pattern, required=bool(spec.get("required")),
            separator=spec.get("separator"), lang=spec.get("lang"), about=spec.get("aboutUrl"),
            value=spec.get("valueUrl"), literal=spec.get("kl:literal"),
            virtual=bool(spec.get("virtual")), suppress=bool(spec.get("suppressOutput")),
            default=str(spec.get("default", "")), value_map=dict(spec.get("kl:valueMap", {})),
            requires=tuple(spec.get("kl:requires", ()))))
    title = metadata.get("dc:title") or {}
    return TableSchema(kind=kind, title=dict(title) if isinstance(title, dict) else {"id": str(title)},
                       about=str(schema["aboutUrl"]), columns=tuple(columns),
                       version=str(metadata.get("kl:templateVersion", "1")),
                       example=dict(metadata.get("kl:example", {})), metadata=metadata)


#: The kinds of submission, in the order templates are listed.
KINDS = ("sentra", "enterprise", "linkage", "intervention", "statistics")

_SCHEMAS: dict[str, TableSchema] = {}


def metadata_path(kind: str):
    if kind not in KINDS:
        raise NotFound(f"no template for kind {kind!r} (kinds: {', '.join(KINDS)})")
    return package_data("templates", f"{kind}.csv-metadata.json")


def table_schema(kind: str) -> TableSchema:
    """The schema of ``kind``, read once from its bundled metadata file."""
    if kind not in _SCHEMAS:
        with open(metadata_path(kind), encoding="utf-8") as handle:
            _SCHEMAS[kind] = parse_metadata(kind, json.load(handle))
    return _SCHEMAS[kind]


# -- values ---------------------------------------------------------------------------------------

def normalise(text: str, datatype: str) -> str:
    """The canonical lexical form of a cell for ``datatype`` where it can be read, else the text.

    Numbers may use a decimal comma and dots or spaces between thousands, as Indonesian Excel writes
    them; booleans may be ``ya``/``tidak``. Text that cannot be read is returned unchanged, so that the
    shapes report it as an ill-typed value with its row and column.
    """
    value = text.strip()
    local = datatype[len(XSD):] if datatype.startswith(XSD) else None
    if local == "integer":
        compact = value.replace(" ", "").replace("\u00a0", "")
        if _THOUSANDS_DOT.fullmatch(compact):
            compact = compact.replace(".", "")
        if compact.endswith((".0", ",0")):
            compact = compact[:-2]
        return str(int(compact)) if _INTEGER.fullmatch(compact) else value
    if local == "decimal":
        compact = value.replace(" ", "").replace("\u00a0", "")
        if "," in compact:  # decimal comma, dots between thousands: 1.234,5
            compact = compact.replace(".", "").replace(",", ".")
        elif compact.count(".") > 1 and _THOUSANDS_DOT.fullmatch(compact):  # 1.234.567
            compact = compact.replace(".", "")
        try:
            number = Decimal(compact)
        except InvalidOperation:
            return value
        if not number.is_finite():
            return value
        text_form = format(number, "f")
        return text_form if "." in text_form else text_form + ".0"
    if local == "boolean":
        low = value.lower()
        return "true" if low in _TRUE else "false" if low in _FALSE else value
    if local == "gYear":
        return value[:-2] if re.fullmatch(r"\d{4}\.0", value) else value
    return value


def expand(template: str, values: Mapping[str, str], base_iri: str) -> str | None:
    """Expand a URI template; None when a variable it uses is empty."""
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        reserved, name = match.groups()
        if name == "base":
            return base_iri
        value = values.get(name, "")
        if not value:
            missing = True
            return ""
        return urllib.parse.quote(value, safe=_RESERVED_SAFE if reserved else _SAFE)

    result = _VARIABLE.sub(replace, template)
    return None if missing else result


# -- the mapping ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MappedRow:
    row: int
    about: str
    triples: tuple[ox.Triple, ...]
    subjects: tuple[str, ...]


def _term_for_value(column: Column, text: str, values: Mapping[str, str],
                    base_iri: str) -> ox.NamedNode | ox.Literal | None:
    if column.value is not None:
        iri = expand(expand_curie(column.value), values, base_iri)
        if iri is None:
            return None
        try:
            return ox.NamedNode(iri)
        except ValueError:
            return ox.Literal(urllib.parse.unquote(iri) if column.virtual else text)  # not an IRI: the shapes report the wrong node kind
    if column.literal is not None:
        lexical = expand(column.literal, values, base_iri)
        return None if lexical is None else ox.Literal(lexical, datatype=ox.NamedNode(column.datatype))
    if column.lang:
        return ox.Literal(text, language=column.lang)
    if column.datatype == XSD + "string":
        return ox.Literal(text)
    return ox.Literal(normalise(text, column.datatype), datatype=ox.NamedNode(column.datatype))


def fallback_subject(row: int) -> str:
    """The subject of a row whose identifier is missing (it never conforms, so it is never stored)."""
    return f"urn:klaster:baris:{row}"


def map_row(schema: TableSchema, row: int, cells: Mapping[str, str], base_iri: str) -> MappedRow:
    """The triples one row stands for. ``cells`` maps column names to cell text."""
    values: dict[str, str] = {}
    for column in schema.data_columns:
        assert column.name is not None
        raw = (cells.get(column.name) or "").strip() or column.default
        raw = column.value_map.get(raw, column.value_map.get(raw.lower(), raw))
        values[column.name] = normalise(raw, column.datatype) if raw else ""
    about = expand(schema.about, values, base_iri) or fallback_subject(row)
    triples: list[ox.Triple] = []
    subjects: list[str] = [about]
    for column in schema.columns:
        if column.suppress or column.property is None:
            continue
        if any(not values.get(name) for name in column.requires):
            continue
        subject_iri = about
        if column.about is not None:
            subject_iri = expand(column.about, values, base_iri)
            if subject_iri is None:
                continue
            if subject_iri not in subjects:
                subjects.append(subject_iri)
        subject = ox.NamedNode(subject_iri)
        predicate = ox.NamedNode(column.property)
        if column.virtual:
            term = _term_for_value(column, column.value or "", values, base_iri)
            if term is not None:
                triples.append(ox.Triple(subject, predicate, term))
            continue
        assert column.name is not None
        cell = values[column.name]
        if not cell:
            continue
        items = [p.strip() for p in cell.split(column.separator)] if column.separator else [cell]
        for item in items:
            if not item:
                continue
            item = column.value_map.get(item, column.value_map.get(item.lower(), item))
            term = _term_for_value(column, item, {**values, column.name: item}, base_iri)
            if term is not None:
                triples.append(ox.Triple(subject, predicate, term))
    return MappedRow(row, about, tuple(triples), tuple(subjects))


def header_columns(schema: TableSchema, headers: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """Header text → column name for known headers, and the headers the schema does not know."""
    known: dict[str, str] = {}
    unknown: list[str] = []
    for header in headers:
        if not header:
            continue
        column = schema.column_for(header)
        if column is None:
            unknown.append(header)
        else:
            known[header] = column.name or header
    return known, unknown


def iter_mapped(schema: TableSchema, rows, headers: tuple[str, ...],
                base_iri: str) -> Iterator[MappedRow]:
    """Map ``(row number, cells)`` pairs, renaming headers (names or titles) to column names."""
    known, _ = header_columns(schema, headers)
    for number, cells in rows:
        named = {known[h]: v for h, v in zip(headers, cells) if h in known}
        yield map_row(schema, number, named, base_iri)
