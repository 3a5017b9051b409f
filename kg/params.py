"""Typed parameters of the canned questions: declaration, validation and binding as RDF terms.

A value a user sends is never pasted into query text. :func:`to_term` checks it against the declared
type and turns it into a pyoxigraph term, which the store binds to the variable of the same name
(``Store.query(..., bindings=...)``). Types:

``iri``      an absolute http(s)/urn IRI, ``id:path`` or a bare ``path`` under the base IRI
``region``   an IRI, or a Kemendagri code (``35``, ``35.15``, ``35.15.18``, ``35.15.18.2013``) → ``{base}wilayah/{code}``
``kbli``     an IRI, or a 5-digit KBLI 2020 code → ``{base}kbli/2020/{code}``
``code``     a short code (letters, digits, ``.``, ``-``), bound as a plain literal
``string``   free text (no control characters), bound as a plain literal
``integer``  bound as ``xsd:integer``;  ``decimal``: bound as ``xsd:decimal``
``enum``     one of the declared ``enum`` values, bound as a plain literal
``boolean``  ``true``/``false`` (also ``1``/``0``, ``yes``/``no``), bound as ``xsd:boolean``

A parameter can also bind values *derived* from it (``derive: {variable: function}`` in the
question's header): each function of :data:`DERIVATIONS` maps the checked value to a text, bound as
a plain literal to its own variable (hidden from the answer's columns like a parameter). A
function refuses a value with :class:`ValueError`, which becomes a 400 naming the parameter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from kg.errors import BadRequest
from kg.namespaces import XSD
from kg.search_index import search_key

PARAM_TYPES = ("iri", "region", "kbli", "code", "string", "integer", "decimal", "enum", "boolean")

#: Parameters the runner handles itself (paging); they are never bound into the query.
PAGING_PARAMS = ("limit", "offset", "page")

#: The functions a parameter can derive a bound value with (``derive:``): checked value → text.
DERIVATIONS: dict[str, Callable[[str], str]] = {
    "search_key": search_key,  # the label-index key of a search text (kg.search_index)
}

#: Longest value accepted for any parameter, before type checks (a cheap guard against huge input).
MAX_VALUE_LENGTH = 2000

_SCHEMES = ("http://", "https://", "urn:")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`]')
_PATH = re.compile(r"[A-Za-z0-9._~-]+(?:/[A-Za-z0-9._~-]+)*")
_REGION_CODE = re.compile(r"\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?")
_KBLI_CODE = re.compile(r"\d{5}")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TRUE = {"true", "1", "yes", "ya"}
_FALSE = {"false", "0", "no", "tidak"}


@dataclass(frozen=True)
class Param:
    """One declared parameter of a canned question."""

    name: str
    type: str
    description: str = ""
    required: bool = False
    default: object = None
    example: object = None
    enum: tuple[str, ...] = ()
    values_query: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    #: (variable, function name in DERIVATIONS): values bound alongside this parameter's
    derive: tuple[tuple[str, str], ...] = ()

    @property
    def is_paging(self) -> bool:
        return self.name in PAGING_PARAMS


def _fail(param: Param, message: str) -> BadRequest:
    return BadRequest(f"parameter {param.name!r}: {message}", parameter=param.name)


def _iri(param: Param, text: str, base_iri: str) -> ox.NamedNode:
    if text.startswith("id:"):
        text = base_iri + text[3:]
    elif not text.startswith(_SCHEMES):
        if not _PATH.fullmatch(text):
            raise _fail(param, "expected an IRI (http://…, https://…, urn:…, id:path or a path "
                        "under the base IRI)")
        text = base_iri + text
    if _IRI_FORBIDDEN.search(text):
        raise _fail(param, "the IRI contains a character IRIs may not contain")
    try:
        return ox.NamedNode(text)
    except ValueError:
        raise _fail(param, "not a valid IRI") from None


def _number(param: Param, value: Decimal) -> None:
    if param.minimum is not None and value < Decimal(str(param.minimum)):
        raise _fail(param, f"must be at least {param.minimum}")
    if param.maximum is not None and value > Decimal(str(param.maximum)):
        raise _fail(param, f"must be at most {param.maximum}")


def normalise(param: Param, raw: object, base_iri: str) -> object:
    """The checked value of ``raw`` for ``param``: a str (IRI or text), int, Decimal or bool."""
    if isinstance(raw, bool) and param.type == "boolean":
        return raw
    text = str(raw)
    if len(text) > MAX_VALUE_LENGTH:
        raise _fail(param, f"value longer than {MAX_VALUE_LENGTH} characters")
    text = text.strip()
    if text == "":
        raise _fail(param, "empty value")
    kind = param.type
    if kind == "iri":
        return _iri(param, text, base_iri).value
    if kind == "region":
        if _REGION_CODE.fullmatch(text):
            return f"{base_iri}wilayah/{text}"
        if re.fullmatch(r"[\d.]+", text):
            raise _fail(param, "not a Kemendagri code (35, 35.15, 35.15.18 or 35.15.18.2013)")
        return _iri(param, text, base_iri).value
    if kind == "kbli":
        if _KBLI_CODE.fullmatch(text):
            return f"{base_iri}kbli/2020/{text}"
        if text.isdigit():
            raise _fail(param, "a KBLI 2020 code has 5 digits (e.g. 15201)")
        return _iri(param, text, base_iri).value
    if kind == "code":
        if not _CODE.fullmatch(text):
            raise _fail(param, "expected a code of letters, digits, '.', '-' or '_'")
        return text
    if kind == "string":
        if _CONTROL.search(text) or "\n" in text or "\r" in text:
            raise _fail(param, "control characters (including line breaks) are not allowed")
        if param.min_length is not None and len(text) < param.min_length:
            raise _fail(param, f"needs at least {param.min_length} characters")
        if param.max_length is not None and len(text) > param.max_length:
            raise _fail(param, f"at most {param.max_length} characters")
        return text
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", text):
            raise _fail(param, "expected an integer")
        number = int(text)
        _number(param, Decimal(number))
        return number
    if kind == "decimal":
        if not re.fullmatch(r"[+-]?(?:\d{1,18}(?:\.\d{0,18})?|\.\d{1,18})", text):
            raise _fail(param, "expected a decimal number such as 1 or 0.25")
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern already excludes this
            raise _fail(param, "expected a decimal number") from None
        _number(param, number)
        return number
    if kind == "enum":
        if text not in param.enum:
            raise _fail(param, f"must be one of {', '.join(param.enum)}")
        return text
    if kind == "boolean":
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise _fail(param, "expected true or false")
    raise _fail(param, f"unknown type {kind!r}")  # pragma: no cover - the loader rejects these


def to_term(param: Param, value: object) -> ox.NamedNode | ox.Literal:
    """The RDF term for a value already checked by :func:`normalise`."""
    if param.type in ("iri", "region", "kbli"):
        return ox.NamedNode(str(value))
    if param.type == "integer":
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))  # type: ignore[arg-type]
    if param.type == "decimal":
        return ox.Literal(format(Decimal(str(value)), "f"), datatype=ox.NamedNode(XSD + "decimal"))
    if param.type == "boolean":
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    return ox.Literal(str(value))


def derived_terms(param: Param, value: object) -> dict[str, ox.Literal]:
    """The values ``param`` derives from its checked ``value``, by variable name."""
    terms: dict[str, ox.Literal] = {}
    for variable, function in param.derive:
        try:
            terms[variable] = ox.Literal(DERIVATIONS[function](str(value)))
        except ValueError as exc:
            raise _fail(param, str(exc)) from None
    return terms


def json_value(value: object) -> object:
    """A normalised value as plain JSON (Decimals become numbers)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    return value
