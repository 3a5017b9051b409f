"""The data behind the pictures of the web interface: networks, chart series and map points.

Pure functions over canned-question answers (:class:`kg.questions.ResultTable` records) plus two
small fixed queries of our own (where each sentra lies, and unit counts per year). Geometry — where
a node, a bar or a point goes — is in :mod:`kg.picture_layout`; this module says *what* is drawn.

Networks:

* around one sentra, from the ``linkages`` question (every kind) or from a ``*-partners`` question
  (one kind): :func:`network_from_linkages`, :func:`network_from_partners`;
* inside a cooperation area, from the ``corridor`` question: :func:`network_from_corridor`.

Nodes are coloured by kabupaten/kota or by province (:func:`Network.groups`); edges carry their
linkage kind, whether they are declared (recorded as a ``kl:Linkage``) or inferred, and whether they
cross a province border (drawn dashed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kg.questions import term_value
from kg.store import Store

#: The four linkage kinds, in legend order.
KINDS = ("product", "skill", "technology", "financing")

#: Which kind each partner question answers.
PARTNER_KINDS = {"technology-partners": "technology", "skill-partners": "skill",
                 "financing-partners": "financing", "supply-partners": "product"}

#: Colours for groups (kabupaten/kota or province): Paul Tol's "muted" scheme plus two, readable
#: for colour-blind people and on white; "other" groups get the last (grey).
GROUP_COLOURS = ("#332288", "#117733", "#CC6677", "#88CCEE", "#999933", "#AA4499", "#44AA99",
                 "#882255", "#DDCC77", "#6699CC", "#AA7744", "#777777")

#: Stroke colours of the linkage kinds (Okabe-Ito, distinguishable without red/green vision).
KIND_COLOURS = {"product": "#D55E00", "skill": "#0072B2", "technology": "#009E73",
                "financing": "#CC79A7"}

_POINT = re.compile(r"^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*([-+\d.eE]+)\s+([-+\d.eE]+)\s*\)\s*$", re.I)

PLACES_QUERY = """\
PREFIX kl: <https://w3id.org/klaster/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
SELECT ?sentra (SAMPLE(?li) AS ?label_id) (SAMPLE(?le) AS ?label_en) (SAMPLE(?la) AS ?label_any)
       (SAMPLE(?k) AS ?kabupaten_kota) (SAMPLE(?kl) AS ?kabupaten_kota_label)
       (SAMPLE(?p) AS ?province) (SAMPLE(?pl) AS ?province_label)
       (SAMPLE(?w) AS ?wkt) (MAX(COALESCE(?ill, false)) AS ?illustrative)
WHERE {
  ?sentra a kl:Sentra .
  OPTIONAL { ?sentra rdfs:label ?li FILTER(LANGMATCHES(LANG(?li), "id")) }
  OPTIONAL { ?sentra rdfs:label ?le FILTER(LANGMATCHES(LANG(?le), "en")) }
  OPTIONAL { ?sentra rdfs:label ?la }
  OPTIONAL { ?sentra kl:within ?k . ?k a kl:RegencyOrCity . OPTIONAL { ?k rdfs:label ?kl } }
  OPTIONAL { ?sentra kl:within ?p . ?p a kl:Province . OPTIONAL { ?p rdfs:label ?pl } }
  OPTIONAL { ?sentra geo:hasGeometry/geo:asWKT ?w }
  OPTIONAL { ?sentra kl:isIllustrative ?ill }
}
GROUP BY ?sentra
ORDER BY ?sentra
LIMIT 20000
"""

#: Unit counts per year of one sentra (?sentra bound) — the statistics (RDF Data Cube).
SENTRA_UNITS_QUERY = """\
PREFIX kl: <https://w3id.org/klaster/ontology#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?sentra ?year (SUM(?n) AS ?units) (COUNT(DISTINCT ?o) AS ?observations)
       (SUM(IF(COALESCE(?ill, false), 1, 0)) AS ?illustrative)
WHERE {
  ?o a qb:Observation ; kl:refSentra ?sentra ; kl:refPeriod ?p ; kl:unitCount ?n .
  OPTIONAL { ?o kl:isIllustrative ?ill }
  BIND(xsd:integer(STR(?p)) AS ?year)
}
GROUP BY ?sentra ?year
ORDER BY ?year
"""

#: Unit counts per year of one industry (?industry bound, a KBLI concept), summed over sentra.
INDUSTRY_UNITS_QUERY = """\
PREFIX kl: <https://w3id.org/klaster/ontology#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?industry ?year (SUM(?n) AS ?units) (COUNT(DISTINCT ?o) AS ?observations)
       (SUM(IF(COALESCE(?ill, false), 1, 0)) AS ?illustrative)
WHERE {
  ?o a qb:Observation ; kl:refIndustry ?industry ; kl:refPeriod ?p ; kl:unitCount ?n .
  OPTIONAL { ?o kl:isIllustrative ?ill }
  BIND(xsd:integer(STR(?p)) AS ?year)
}
GROUP BY ?industry ?year
ORDER BY ?year
"""


@dataclass(frozen=True)
class Place:
    """Where a sentra lies: its labels, kabupaten/kota, province and (when known) its point."""

    iri: str
    label_id: str
    label_en: str
    kabupaten_kota: str | None = None
    kabupaten_kota_label: str | None = None
    province: str | None = None
    province_label: str | None = None
    lon: float | None = None
    lat: float | None = None
    illustrative: bool = False

    def label(self, lang: str = "id") -> str:
        return (self.label_en if lang == "en" else self.label_id) or self.label_id or self.label_en \
            or self.iri.rstrip("/").rsplit("/", 1)[-1]

    @property
    def has_point(self) -> bool:
        return self.lon is not None and self.lat is not None


@dataclass(frozen=True)
class Node:
    id: str            # the sentra IRI
    label: str
    group: str         # the kabupaten/kota or province IRI ("" when unknown)
    group_label: str
    centre: bool = False


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str                    # one of KINDS
    declared: bool               # recorded as a kl:Linkage / declared link, not only inferred
    crosses_province: bool
    items: str = ""              # the shared items (labels), as evidence

    @property
    def key(self) -> tuple[frozenset[str], str]:
        return frozenset((self.source, self.target)), self.kind


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    colour: str


@dataclass(frozen=True)
class Network:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    colour_by: str  # "kabupaten" or "province"

    def groups(self) -> tuple[Group, ...]:
        """The node groups in first-seen order of the sorted nodes, each with its colour."""
        seen: dict[str, str] = {}
        for node in sorted(self.nodes, key=lambda n: (n.group_label or "~", n.label)):
            seen.setdefault(node.group, node.group_label or "?")
        colours = GROUP_COLOURS[:-1]
        return tuple(Group(g, label, colours[i] if i < len(colours) and g else GROUP_COLOURS[-1])
                     for i, (g, label) in enumerate(seen.items()))

    def kinds(self) -> tuple[str, ...]:
        present = {e.kind for e in self.edges}
        return tuple(k for k in KINDS if k in present)


@dataclass(frozen=True)
class YearValue:
    year: int
    value: float
    observations: int = 1
    illustrative: int = 0


@dataclass(frozen=True)
class LQBar:
    region: str
    label: str
    lq: float
    specialised: bool
    period: int | None = None


def parse_point(wkt: str | None) -> tuple[float, float] | None:
    """``POINT(lon lat)`` (optionally after a CRS IRI) as ``(lon, lat)``; None otherwise."""
    if not wkt:
        return None
    match = _POINT.match(wkt)
    if not match:
        return None
    try:
        lon, lat = float(match.group(1)), float(match.group(2))
    except ValueError:
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return lon, lat


def places(store: Store) -> dict[str, Place]:
    """Every sentra's :class:`Place`, by IRI (one query)."""
    result = store.query(PLACES_QUERY)
    out: dict[str, Place] = {}
    for solution in result:  # type: ignore[union-attr]
        row = {v.value: term_value(solution[v]) for v in result.variables}  # type: ignore[union-attr]
        any_label = row.get("label_any") or ""
        point = parse_point(row.get("wkt"))  # type: ignore[arg-type]
        iri = str(row["sentra"])
        out[iri] = Place(
            iri=iri, label_id=str(row.get("label_id") or any_label),
            label_en=str(row.get("label_en") or row.get("label_id") or any_label),
            kabupaten_kota=_text(row.get("kabupaten_kota")),
            kabupaten_kota_label=_text(row.get("kabupaten_kota_label")),
            province=_text(row.get("province")), province_label=_text(row.get("province_label")),
            lon=point[0] if point else None, lat=point[1] if point else None,
            illustrative=bool(row.get("illustrative")))
    return out


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _node(iri: str, label: object, places_: Mapping[str, Place], colour_by: str, lang: str,
          centre: bool = False) -> Node:
    place = places_.get(iri)
    if place is not None:
        text = place.label(lang)
        group, group_label = ((place.province, place.province_label) if colour_by == "province"
                              else (place.kabupaten_kota, place.kabupaten_kota_label))
    else:
        text, group, group_label = "", None, None
    return Node(iri, text or (str(label) if label else iri.rstrip("/").rsplit("/", 1)[-1]),
                group or "", group_label or "", centre)


def _kind(value: object) -> str | None:
    text = str(value or "").lower()
    for kind in KINDS:
        if text.startswith(kind):
            return kind
    return None


def _merge(edges: Iterable[Edge]) -> tuple[Edge, ...]:
    """One edge per unordered pair and kind: declared wins over inferred, items are united."""
    merged: dict[tuple[frozenset[str], str], Edge] = {}
    for edge in edges:
        old = merged.get(edge.key)
        if old is None:
            merged[edge.key] = edge
            continue
        items = "; ".join(dict.fromkeys(i for i in (old.items + "; " + edge.items).split("; ") if i))
        merged[edge.key] = Edge(old.source, old.target, old.kind, old.declared or edge.declared,
                                old.crosses_province or edge.crosses_province, items)
    return tuple(merged.values())


def network_from_linkages(centre: str, records: Sequence[Mapping[str, object]],
                          places_: Mapping[str, Place], *, colour_by: str = "kabupaten",
                          lang: str = "id") -> Network:
    """The network around ``centre`` from the ``linkages`` question's rows (every kind)."""
    nodes = {centre: _node(centre, None, places_, colour_by, lang, centre=True)}
    edges = []
    for row in records:
        other, kind = row.get("other"), _kind(row.get("kind"))
        if not other or kind is None or other == centre:
            continue
        nodes.setdefault(str(other), _node(str(other), row.get("other_label"), places_, colour_by, lang))
        edges.append(Edge(centre, str(other), kind, str(row.get("status") or "") != "inferred",
                          bool(row.get("crosses_province")), str(row.get("shared_items") or "")))
    return Network(tuple(nodes.values()), _merge(edges), colour_by)


def network_from_partners(question: str, centre: str, records: Sequence[Mapping[str, object]],
                          places_: Mapping[str, Place], *, colour_by: str = "kabupaten",
                          lang: str = "id") -> Network:
    """The network around ``centre`` from a ``*-partners`` question's rows (one kind)."""
    kind = PARTNER_KINDS[question]
    nodes = {centre: _node(centre, None, places_, colour_by, lang, centre=True)}
    edges = []
    for row in records:
        partner = row.get("partner")
        if not partner or partner == centre:
            continue
        nodes.setdefault(str(partner), _node(str(partner), row.get("partner_label"), places_,
                                             colour_by, lang))
        edges.append(Edge(centre, str(partner), kind, bool(row.get("declared_link")),
                          bool(row.get("crosses_province")), str(row.get("shared_items") or "")))
    return Network(tuple(nodes.values()), _merge(edges), colour_by)


def network_from_corridor(records: Sequence[Mapping[str, object]], places_: Mapping[str, Place],
                          *, colour_by: str = "kabupaten", lang: str = "id") -> Network:
    """Every sentra of a cooperation area and the potential linkages among them (``corridor`` rows).

    Each pair appears from both sides in the answer; it becomes one edge per kind.
    """
    nodes: dict[str, Node] = {}
    edges = []
    for row in records:
        sentra, partner, kind = row.get("sentra"), row.get("partner"), _kind(row.get("kind"))
        if sentra:
            nodes.setdefault(str(sentra), _node(str(sentra), row.get("sentra_label"), places_,
                                                colour_by, lang))
        if sentra and partner and kind:
            nodes.setdefault(str(partner), _node(str(partner), row.get("partner_label"), places_,
                                                 colour_by, lang))
            a, b = sorted((str(sentra), str(partner)))
            edges.append(Edge(a, b, kind, False, bool(row.get("crosses_province")),
                              str(row.get("shared_items") or "")))
    return Network(tuple(nodes.values()), _merge(edges), colour_by)


def lq_bars(records: Sequence[Mapping[str, object]]) -> tuple[LQBar, ...]:
    """The ``specialisation`` answer as bars, highest location quotient first (one per region:
    the latest period when several years are given)."""
    best: dict[str, LQBar] = {}
    for row in records:
        region, lq = row.get("region"), row.get("lq")
        if not region or not isinstance(lq, (int, float)):
            continue
        period = row.get("period")
        bar = LQBar(str(region), str(row.get("region_label") or region), float(lq),
                    bool(row.get("specialised")), int(period) if isinstance(period, int) else None)
        old = best.get(bar.region)
        if old is None or (bar.period or 0) > (old.period or 0):
            best[bar.region] = bar
    return tuple(sorted(best.values(), key=lambda b: (-b.lq, b.label)))


def _series(store: Store, sparql: str, variable: str, iri: str) -> tuple[YearValue, ...]:
    result = store.query(sparql, bindings={variable: ox.NamedNode(iri)})
    out = []
    for solution in result:  # type: ignore[union-attr]
        year, units = term_value(solution["year"]), term_value(solution["units"])
        if isinstance(year, int) and isinstance(units, (int, float)):
            out.append(YearValue(year, units, int(term_value(solution["observations"]) or 0),  # type: ignore[arg-type]
                                 int(term_value(solution["illustrative"]) or 0)))  # type: ignore[arg-type]
    return tuple(sorted(out, key=lambda p: p.year))


def sentra_units(store: Store, sentra: str) -> tuple[YearValue, ...]:
    """Producing units of one sentra per year (from the statistics)."""
    return _series(store, SENTRA_UNITS_QUERY, "sentra", sentra)


def industry_units(store: Store, industry: str) -> tuple[YearValue, ...]:
    """Producing units of one industry (KBLI concept IRI) per year, summed over every sentra."""
    return _series(store, INDUSTRY_UNITS_QUERY, "industry", industry)
