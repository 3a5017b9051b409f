"""Where things go in the pictures: server-side layout for SVG (no JavaScript needed).

Every function takes the data of :mod:`kg.pictures` and returns frozen records with coordinates in
the SVG user space of a ``viewBox`` of the given width and height; the templates only draw them.
The layouts are deterministic (the same data gives the same picture), so they can be tested.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kg.pictures import GROUP_COLOURS, KIND_COLOURS, Edge, Group, LQBar, Network, Node, Place, YearValue

LABEL_CHARS = 32
#: From this many nodes on the ring, labels run along the radius (they would overlap otherwise).
RADIAL_FROM = 16


@dataclass(frozen=True)
class PlacedNode:
    node: Node
    x: float
    y: float
    r: float
    colour: str
    label: str          # possibly shortened; the full one is node.label
    label_x: float
    label_y: float
    anchor: str         # SVG text-anchor
    rotate: float = 0.0  # degrees, about (label_x, label_y): radial labels on a crowded ring


@dataclass(frozen=True)
class PlacedEdge:
    edge: Edge
    d: str              # SVG path data
    colour: str
    dashed: bool
    width: float


@dataclass(frozen=True)
class NetworkPicture:
    width: int
    height: int
    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]
    groups: tuple[Group, ...]
    kinds: tuple[str, ...]
    cross_province: int   # how many edges cross a province border


@dataclass(frozen=True)
class Tick:
    value: float
    pos: float
    text: str


@dataclass(frozen=True)
class PlacedBar:
    label: str
    value_text: str
    x: float
    y: float
    w: float
    h: float
    highlight: bool
    href_iri: str = ""


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_left: float
    plot_top: float
    plot_width: float
    plot_height: float
    bars: tuple[PlacedBar, ...]
    ticks: tuple[Tick, ...]
    reference: float | None = None   # x (horizontal chart) or y of the reference line


@dataclass(frozen=True)
class MapPoint:
    place: Place
    x: float
    y: float
    colour: str
    label: str
    label_x: float = 0.0
    label_y: float = 0.0
    anchor: str = "start"


@dataclass(frozen=True)
class MapPicture:
    width: int
    height: int
    points: tuple[MapPoint, ...]
    lon_ticks: tuple[Tick, ...]
    lat_ticks: tuple[Tick, ...]
    groups: tuple[Group, ...]
    missing: int          # sentra without coordinates


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def nice_step(span: float, count: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^n) giving about ``count`` intervals over ``span``."""
    if span <= 0:
        return 1.0
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def _fmt(value: float) -> str:
    if abs(value - round(value)) < 1e-9:
        return f"{int(round(value)):,}".replace(",", ".")
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


# -- networks --------------------------------------------------------------------------------------

def layout_network(network: Network, *, width: int = 960, height: int = 640) -> NetworkPicture:
    """Centre node (if any) in the middle, the others on a circle grouped by colour group, so that
    each kabupaten/province forms an arc; parallel edges of different kinds are bent apart."""
    groups = network.groups()
    colour = {g.id: g.colour for g in groups}
    centre = [n for n in network.nodes if n.centre]
    ring = sorted((n for n in network.nodes if not n.centre),
                  key=lambda n: (n.group_label or "~", n.label, n.id))
    radial = len(ring) > RADIAL_FROM
    if radial:  # labels along the radius need room all around: a square picture
        height = width
    cx, cy = width / 2, height / 2
    label_room = 200 if radial else 210
    radius = max(60.0, min(height / 2 - (label_room if radial else 40), width / 2 - label_room))
    node_r = 9.0 if len(ring) < 30 else 7.0
    placed: dict[str, PlacedNode] = {}
    for node in centre[:1]:
        placed[node.id] = PlacedNode(node, cx, cy, node_r + 5, colour.get(node.group, "#777777"),
                                     shorten(node.label, 40), cx, cy + node_r + 22, "middle")
    count = max(len(ring), 1)
    for i, node in enumerate(ring):
        angle = -math.pi / 2 + 2 * math.pi * (i + 0.5) / count
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        gap = radius + node_r + 6
        lx, ly = cx + gap * math.cos(angle), cy + gap * math.sin(angle)
        left = math.cos(angle) < 0
        rotate = 0.0
        if radial:
            rotate = math.degrees(angle) + (180 if left else 0)
            anchor = "end" if left else "start"
        else:
            anchor = "end" if left else "start"
            ly += 4
        placed[node.id] = PlacedNode(node, round(x, 1), round(y, 1), node_r,
                                     colour.get(node.group, "#777777"), shorten(node.label),
                                     round(lx, 1), round(ly, 1), anchor, round(rotate, 1))
    by_pair: dict[frozenset[str], list[Edge]] = defaultdict(list)
    for edge in network.edges:
        if edge.source in placed and edge.target in placed:
            by_pair[frozenset((edge.source, edge.target))].append(edge)
    edges = []
    for pair_edges in by_pair.values():
        pair_edges.sort(key=lambda e: ("product", "skill", "technology", "financing").index(e.kind))
        for i, edge in enumerate(pair_edges):
            a, b = placed[edge.source], placed[edge.target]
            bend = (i - (len(pair_edges) - 1) / 2) * 22
            edges.append(PlacedEdge(edge, _curve(a.x, a.y, b.x, b.y, bend),
                                    KIND_COLOURS.get(edge.kind, "#555555"), edge.crosses_province,
                                    3.0 if edge.declared else 1.6))
    edges.sort(key=lambda e: (e.edge.declared, e.edge.kind))  # declared ones drawn on top
    return NetworkPicture(width, int(height), tuple(placed.values()), tuple(edges), groups,
                          network.kinds(), sum(1 for e in network.edges if e.crosses_province))


def _curve(x1: float, y1: float, x2: float, y2: float, bend: float) -> str:
    if bend == 0:
        return f"M{x1:.1f} {y1:.1f} L{x2:.1f} {y2:.1f}"
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    nx, ny = -(y2 - y1) / length, (x2 - x1) / length
    return f"M{x1:.1f} {y1:.1f} Q{mx + nx * bend:.1f} {my + ny * bend:.1f} {x2:.1f} {y2:.1f}"


# -- charts ----------------------------------------------------------------------------------------

def lq_chart(bars: Sequence[LQBar], *, threshold: float = 1.0, width: int = 760,
             row: int = 26) -> BarChart:
    """Horizontal bars of the location quotient per region, with the threshold line."""
    left, right, top = 230.0, 80.0, 28.0
    plot_width = width - left - right
    top_value = max([b.lq for b in bars] + [threshold, 1.0])
    step = nice_step(top_value)
    axis_max = math.ceil(top_value / step) * step
    scale = plot_width / axis_max
    placed = []
    for i, bar in enumerate(bars):
        y = top + i * row
        placed.append(PlacedBar(shorten(bar.label, 34), _fmt(round(bar.lq, 2)), left, y + 4,
                                max(bar.lq * scale, 1.0), row - 8, bar.specialised, bar.region))
    plot_height = max(len(bars), 1) * row
    ticks = tuple(Tick(v, left + v * scale, _fmt(v))
                  for v in _range(0, axis_max, step))
    return BarChart(width, int(top + plot_height + 30), left, top, plot_width, plot_height,
                    tuple(placed), ticks, left + threshold * scale)


def units_chart(series: Sequence[YearValue], *, width: int = 560, height: int = 260) -> BarChart:
    """Vertical bars of producing units per year."""
    left, right, top, bottom = 60.0, 20.0, 20.0, 40.0
    plot_width, plot_height = width - left - right, height - top - bottom
    top_value = max([p.value for p in series] + [1.0])
    step = nice_step(top_value, 4)
    axis_max = math.ceil(top_value / step) * step
    slot = plot_width / max(len(series), 1)
    bars = []
    for i, point in enumerate(series):
        h = point.value / axis_max * plot_height
        bars.append(PlacedBar(str(point.year), _fmt(point.value), left + i * slot + slot * 0.15,
                              top + plot_height - h, slot * 0.7, h, point.illustrative > 0))
    ticks = tuple(Tick(v, top + plot_height - v / axis_max * plot_height, _fmt(v))
                  for v in _range(0, axis_max, step))
    return BarChart(width, height, left, top, plot_width, plot_height, tuple(bars), ticks)


def _range(start: float, stop: float, step: float) -> Iterable[float]:
    value, n = start, 0
    while value <= stop + step / 1000 and n < 100:
        yield round(value, 10)
        n += 1
        value = start + n * step


# -- map -------------------------------------------------------------------------------------------

def sentra_map(places_: Iterable[Place], *, width: int = 760, height: int = 420,
               lang: str = "id") -> MapPicture:
    """Sentra with coordinates on an equirectangular projection (x scaled by cos(latitude)),
    coloured by province, with a graticule every whole (or half) degree."""
    all_places = list(places_)
    located = [p for p in all_places if p.has_point]
    province_ids = sorted({(p.province_label or "~", p.province or "") for p in located})
    groups = tuple(Group(pid, label if label != "~" else "?", GROUP_COLOURS[i % (len(GROUP_COLOURS) - 1)]
                         if pid else GROUP_COLOURS[-1])
                   for i, (label, pid) in enumerate(province_ids))
    colour = {g.id: g.colour for g in groups}
    if not located:
        return MapPicture(width, height, (), (), (), groups, len(all_places))
    lons = [p.lon for p in located]  # type: ignore[misc]
    lats = [p.lat for p in located]  # type: ignore[misc]
    pad = 0.25
    west, east = min(lons) - pad, max(lons) + pad  # type: ignore[type-var,operator]
    south, north = min(lats) - pad, max(lats) + pad  # type: ignore[type-var,operator]
    kx = math.cos(math.radians((north + south) / 2))
    margin = 40.0
    scale = min((width - 2 * margin) / ((east - west) * kx), (height - 2 * margin) / (north - south))
    ox = margin + ((width - 2 * margin) - (east - west) * kx * scale) / 2
    oy = margin + ((height - 2 * margin) - (north - south) * scale) / 2

    def project(lon: float, lat: float) -> tuple[float, float]:
        return ox + (lon - west) * kx * scale, oy + (north - lat) * scale

    points = []
    boxes = [(x - 8, y - 8, x + 8, y + 8) for x, y in
             (project(p.lon, p.lat) for p in located)]  # type: ignore[arg-type]
    for place in sorted(located, key=lambda p: (-p.lat, p.lon)):  # type: ignore[arg-type,operator]
        x, y = project(place.lon, place.lat)  # type: ignore[arg-type]
        label = shorten(place.label(lang), 26)
        label_x, label_y, anchor = _free_label(x, y, len(label) * 6.6, boxes, width)
        points.append(MapPoint(place, round(x, 1), round(y, 1), colour.get(place.province or "", "#777777"),
                               label, round(label_x, 1), round(label_y, 1), anchor))
    step = 1.0 if max(east - west, north - south) > 2.5 else 0.5
    lon_ticks = tuple(Tick(v, round(project(v, north)[0], 1), f"{v:g}°E")
                      for v in _range(math.ceil(west / step) * step, east, step))
    lat_ticks = tuple(Tick(v, round(project(west, v)[1], 1), f"{abs(v):g}°{'S' if v < 0 else 'N'}")
                      for v in _range(math.ceil(south / step) * step, north, step))
    return MapPicture(width, height, tuple(points), lon_ticks, lat_ticks, groups,
                      len(all_places) - len(located))


def _free_label(x: float, y: float, text_width: float, boxes: list[tuple[float, float, float, float]],
                width: float) -> tuple[float, float, str]:
    """A label place beside the point (right, left, above, below) that overlaps no earlier label;
    the chosen box is added to ``boxes``."""
    candidates = [(x + 10, y + 4, "start"), (x - 10, y + 4, "end"),
                  (x + 8, y - 12, "start"), (x + 8, y + 20, "start"),
                  (x - 8, y - 12, "end"), (x - 8, y + 20, "end")]
    chosen = candidates[0]
    for lx, ly, anchor in candidates:
        box = (lx, ly - 12, lx + text_width, ly + 3) if anchor == "start" else (lx - text_width, ly - 12, lx, ly + 3)
        if box[0] < 0 or box[2] > width:
            continue
        if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
            chosen = (lx, ly, anchor)
            break
    lx, ly, anchor = chosen
    boxes.append((lx, ly - 12, lx + text_width, ly + 3) if anchor == "start"
                 else (lx - text_width, ly - 12, lx, ly + 3))
    return chosen
