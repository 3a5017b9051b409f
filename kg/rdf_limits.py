"""Limits checked on untrusted RDF bytes and SPARQL text *before* pyoxigraph parses them.

pyoxigraph's parsers are safe against remote fetching (JSON-LD ``@context`` URLs are never loaded:
without a document loader the parse fails) and against external XML entities, but three shapes of
input cost it far more than their size:

* **deeply nested JSON-LD** — its recursive expansion overflows the native stack and *kills the
  process* (segmentation fault) at about 10 000 levels, and takes quadratic time below that;
* **deeply nested RDF/XML** — quadratic time (30 000 levels take seconds, a 64 MiB body hours);
* **XML entity expansion** ("billion laughs") — internal DTD entities are expanded in full: nine
  nested entities of 10 references make a 3 GB literal out of 1 KB.

* **deeply nested SPARQL** — ``{`` or ``(`` 10 000 deep (20 KB of text) overflow the stack of
  the SPARQL parser: the process dies. Queries run in worker processes (a crash costs a worker and
  the client a 503), updates in the server itself.

:func:`check_rdf` and :func:`check_sparql` refuse them with :class:`kg.errors.BadRequest`: JSON and XML may nest at most
:data:`MAX_DEPTH` levels; an RDF/XML DTD may declare simple text entities (as OWL files do for
namespace IRIs) but no parameter or external entities, no entity that refers to another, and no
more than :data:`MAX_ENTITY_EXPANSION` bytes of expanded text in all.
"""

from __future__ import annotations

import re
from itertools import accumulate

import pyoxigraph as ox

from kg.errors import BadRequest

#: Deepest nesting of JSON objects/arrays or XML elements accepted (real RDF stays below 30).
MAX_DEPTH = 256

#: Most bytes that entity references in an RDF/XML document may expand to, in total.
MAX_ENTITY_EXPANSION = 1024 * 1024

_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_XML_SKIP = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE(?:[^\[>]|\[.*?\])*>",
                       re.S)
_XML_EMPTY = re.compile(rb"<[^<>]*/>")
_XML_CLOSE = re.compile(rb"</[^<>]*>")
_XML_OPEN = re.compile(rb"<[^<>]*>")
_ALL_BUT_MARKS = bytes(b for b in range(256) if b not in (1, 2))
_ENTITY = re.compile(rb"<!ENTITY\s+(%\s*)?([^\s>]+)\s+(SYSTEM|PUBLIC)?\s*(?:\"([^\"]*)\"|'([^']*)')",
                     re.S)
_ENTITY_DECL = re.compile(rb"<!ENTITY\b")
_REFERENCE = re.compile(rb"&([A-Za-z_:][A-Za-z0-9._:-]*);")


def _deepest(marks: bytes, opening: int) -> int:
    """The deepest nesting of a string of opening and closing marks (C-speed, no Python loop)."""
    delta = [0] * 256
    delta[opening] = 1
    for byte in range(256):
        if byte != opening:
            delta[byte] = -1
    return max(accumulate(map(delta.__getitem__, marks)), default=0)


def json_depth_exceeds(data: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON text nests objects/arrays more than ``limit`` levels deep."""
    brackets = _NOT_BRACKET.sub(b"", _JSON_STRING.sub(b'""', data))
    return _deepest(brackets.replace(b"[", b"{").replace(b"]", b"}"), 0x7B) > limit


def xml_depth_exceeds(data: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether XML text nests elements more than ``limit`` levels deep."""
    text = _XML_EMPTY.sub(b"", _XML_SKIP.sub(b"", data))
    marks = _XML_OPEN.sub(b"\x02", _XML_CLOSE.sub(b"\x01", text.translate(None, b"\x01\x02")))
    return _deepest(marks.translate(None, _ALL_BUT_MARKS), 0x02) > limit


def check_xml_entities(data: bytes) -> None:
    """Refuse DTD entities that could expand without bound (see the module docstring)."""
    if not _ENTITY_DECL.search(data):
        return
    declared = list(_ENTITY.finditer(data))
    if len(declared) != len(_ENTITY_DECL.findall(data)):
        raise BadRequest("the RDF/XML document declares an entity this server cannot check; "
                         "declare entities as <!ENTITY name \"text\"> or not at all")
    sizes: dict[bytes, int] = {}
    for entity in declared:
        parameter, name, external, double, single = entity.groups()
        value = double if double is not None else single
        if parameter or external:
            raise BadRequest("the RDF/XML document declares a parameter or external entity; "
                             "these are not accepted")
        if b"&" in value or b"%" in value:
            raise BadRequest(f"the RDF/XML entity {name.decode(errors='replace')!r} refers to "
                             "other entities; nested entities are not accepted (entity expansion)")
        sizes[name] = len(value)
    expanded = sum(sizes.get(ref.group(1), 0) for ref in _REFERENCE.finditer(data))
    if expanded > MAX_ENTITY_EXPANSION:
        raise BadRequest(f"the RDF/XML entities would expand to {expanded:,} bytes; at most "
                         f"{MAX_ENTITY_EXPANSION:,} are accepted (entity expansion)")


def check_rdf(data: bytes, fmt: ox.RdfFormat) -> None:
    """Raise :class:`BadRequest` when ``data`` in ``fmt`` is too deep or expands without bound."""
    if fmt == ox.RdfFormat.JSON_LD and json_depth_exceeds(data):
        raise BadRequest(f"the JSON-LD document nests deeper than {MAX_DEPTH} levels")
    if fmt == ox.RdfFormat.RDF_XML:
        check_xml_entities(data)
        if xml_depth_exceeds(data):
            raise BadRequest(f"the RDF/XML document nests elements deeper than {MAX_DEPTH} levels")


_SPARQL_STRING = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|'
                            r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', re.S)
_SPARQL_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_SPARQL_COMMENT = re.compile(r"#[^\n]*")
_SPARQL_NOT_BRACKET = re.compile(r"[^{}()\[\]]+")


def check_sparql(text: str) -> None:
    """Raise :class:`BadRequest` when a SPARQL query or update nests ``{ ( [`` deeper than
    :data:`MAX_DEPTH` (strings, IRIs and comments are skipped)."""
    if text.count("{") + text.count("(") + text.count("[") <= MAX_DEPTH:
        return
    bare = _SPARQL_COMMENT.sub("", _SPARQL_IRI.sub("", _SPARQL_STRING.sub("", text)))
    marks = _SPARQL_NOT_BRACKET.sub("", bare).translate(str.maketrans("([)]", "{{}}"))
    if _deepest(marks.encode("ascii"), 0x7B) > MAX_DEPTH:
        raise BadRequest(f"the SPARQL text nests groups or expressions deeper than {MAX_DEPTH} levels")
