"""One table of the media types Klaster speaks, and an ``Accept`` header parser.

Every response format (SPARQL results, RDF graphs) is named here once, with its pyoxigraph format,
so that the web service, the CLI and the tests agree on names, media types and file extensions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import NotAcceptable


@dataclass(frozen=True)
class Format:
    """A response format: ``kind`` is ``results`` (SELECT/ASK) or ``graph`` (CONSTRUCT/DESCRIBE)."""

    key: str
    media_type: str
    kind: str
    extension: str
    aliases: tuple[str, ...] = ()

    @property
    def results_format(self) -> ox.QueryResultsFormat:
        return _RESULTS[self.key]

    @property
    def rdf_format(self) -> ox.RdfFormat:
        return _RDF[self.key]

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value (text formats say their charset)."""
        if self.media_type.startswith("text/") or self.key in ("json", "jsonld"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type


#: SELECT and ASK results, the default first.
RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "results", "srj",
           ("application/json", "text/javascript", "application/javascript")),
    Format("xml", "application/sparql-results+xml", "results", "srx",
           ("application/xml", "text/xml")),
    Format("csv", "text/csv", "results", "csv"),
    Format("tsv", "text/tab-separated-values", "results", "tsv"),
)

#: CONSTRUCT and DESCRIBE results (and Graph Store bodies), the default first.
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", "graph", "ttl", ("application/x-turtle",)),
    Format("ntriples", "application/n-triples", "graph", "nt", ("text/plain",)),
    Format("jsonld", "application/ld+json", "graph", "jsonld", ("application/json",)),
    Format("rdfxml", "application/rdf+xml", "graph", "rdf", ("application/xml", "text/xml")),
)

_RESULTS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
_RDF = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
        "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}

BY_KEY: dict[str, Format] = {f.key: f for f in RESULT_FORMATS + GRAPH_FORMATS}


@dataclass(frozen=True)
class MediaRange:
    """One entry of an ``Accept`` header."""

    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...] = ()

    def matches(self, media_type: str) -> int:
        """How specifically this range matches ``media_type``: 3 exact, 2 ``type/*``, 1 ``*/*``, 0 no."""
        main, _, sub = media_type.lower().partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type == main and self.subtype == "*":
            return 2
        if self.type == main and self.subtype == sub:
            return 3
        return 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header, best first (by q, then specificity, then order).

    Malformed entries are skipped rather than rejected, as browsers and old clients send odd ones.
    A missing or empty header means ``*/*``.
    """
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges: list[tuple[MediaRange, int]] = []
    for index, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        main, slash, sub = pieces[0].lower().partition("/")
        if not slash or not main or not sub:
            if pieces[0] == "*":  # some clients send a bare "*"
                main, sub = "*", "*"
            else:
                continue
        q = 1.0
        params: list[tuple[str, str]] = []
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            name, value = name.strip().lower(), value.strip().strip('"')
            if name == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
            elif name:
                params.append((name, value))
        ranges.append((MediaRange(main, sub, q, tuple(params)), index))
    ranges.sort(key=lambda r: (-r[0].q, (r[0].type == "*") + (r[0].subtype == "*"), r[1]))
    return [r for r, _ in ranges]


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The q the client gives ``media_type``: the q of the most specific matching range (0 if none)."""
    best, best_q = 0, 0.0
    for r in ranges:
        level = r.matches(media_type)
        if level > best:
            best, best_q = level, r.q
    return best_q


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers; ties go to the earlier offer. None if none fits."""
    ranges = parse_accept(accept)
    choice, choice_q = None, 0.0
    for media_type in offered:
        q = quality(ranges, media_type)
        if q > choice_q:
            choice, choice_q = media_type, q
    return choice


def choose_format(accept: str | None, formats: Sequence[Format], *,
                  override: str | None = None) -> Format:
    """The format to answer in, from ``Accept`` (or an explicit ``override`` key or media type).

    Raises :class:`~kg.errors.NotAcceptable` listing what is offered when nothing fits.
    """
    if override:
        for fmt in formats:
            if override.lower() in (fmt.key, fmt.media_type, *fmt.aliases):
                return fmt
        raise NotAcceptable(f"unknown format {override!r}; use one of "
                            f"{', '.join(f.key for f in formats)}")
    offered: list[str] = []
    owner: dict[str, Format] = {}
    for fmt in formats:  # canonical types first so they win ties over aliases
        offered.append(fmt.media_type)
        owner[fmt.media_type] = fmt
    for fmt in formats:
        for alias in fmt.aliases:
            if alias not in owner:
                offered.append(alias)
                owner[alias] = fmt
    chosen = negotiate(accept, offered)
    if chosen is None:
        raise NotAcceptable(f"cannot answer in any of {accept!r}; available: "
                            f"{', '.join(f.media_type for f in formats)}")
    return owner[chosen]


def accepts_html(accept: str | None) -> bool:
    """True when the client (a browser) prefers HTML to every SPARQL or RDF format we offer."""
    if not accept:
        return False
    named = [r for r in parse_accept(accept) if r.type != "*"]  # */* alone never means a browser
    html = quality(named, "text/html")
    if html <= 0:
        return False
    others = max(quality(named, f.media_type) for f in RESULT_FORMATS + GRAPH_FORMATS)
    return html >= others
