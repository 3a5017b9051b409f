"""Linked Data publishing: dereferenceable IRIs, the ontology, the shapes, VoID/DCAT and dumps.

* ``GET /id/{path}`` describes ``{KLASTER_BASE_IRI}{path}``: an HTML page for people, Turtle,
  N-Triples, JSON-LD or RDF/XML for programs, chosen by ``Accept`` or ``?format=``. Cool URIs: the
  answer is a direct ``200`` with ``Vary: Accept`` and a ``Content-Location`` naming the
  representation sent (the README explains why not 303). Unknown resources and malformed paths are
  ``404`` (problem+json, or an HTML page for browsers).
* ``GET /ontology``: pyLODE documentation (built at the first request and kept in memory) or the
  ontology in an RDF syntax; ``GET /shapes``: every ``shapes/*.ttl`` merged.
* ``GET /.well-known/void``: :mod:`kg.void` with live counts.
* ``GET /dumps/klaster.nq.gz`` and ``GET /dumps/graph.nt.gz?graph=IRI``: :mod:`kg.dump`, streamed.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request, url_for

from kg.describe import local_name
from kg.dump import DATASET_FILE, GRAPH_FILE, gzip_dump
from kg.errors import NotAcceptable, NotFound, StoreError
from kg.formats import GRAPH_FORMATS, Format, negotiate
from kg.namespaces import KL, PREFIXES, RDF, RDFS, SH, SKOS, WDT, XSD
from kg.pages import CONCEPT_USES, Page, build_page, kemendagri_codes
from kg.resources import data_file, data_folder
from kg.store import node
from kg.void import Endpoints, serialise, void_triples
from service import cors
from service.charts import bar_chart

bp = Blueprint("linked_data", __name__, template_folder="templates")
cors.allow_reads(bp)

HTML = "text/html"
_SAFE_PATH = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@%-]+(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*")
_ONTOLOGY_HTML = "klaster.ontology_html"
_ONTOLOGY_LOCK = threading.Lock()
#: Predicates shown first on every page, in this order.
_FIRST = (RDF + "type", RDFS + "label", SKOS + "prefLabel", SKOS + "notation", KL + "kemendagriCode",
          WDT + "P2588", RDFS + "comment")


def _state():
    return current_app.extensions["klaster"]


def _questions():
    from service.api import EXTENSION
    return current_app.extensions[EXTENSION]


# -- negotiation ----------------------------------------------------------------------------------
def _choose(*, html_first: bool) -> Format | None:
    """The graph format asked for, or None for HTML (``?format=`` wins over ``Accept``)."""
    override = (request.args.get("format") or "").lower()
    if override:
        if override in ("html", HTML):
            return None
        for fmt in GRAPH_FORMATS:
            if override in (fmt.key, fmt.media_type, fmt.extension, *fmt.aliases):
                return fmt
        raise NotAcceptable(f"unknown format {override!r}; use html, "
                            f"{', '.join(f.key for f in GRAPH_FORMATS)}", parameter="format")
    offered = [f.media_type for f in GRAPH_FORMATS]
    offered = [HTML, *offered] if html_first else [offered[0], HTML, *offered[1:]]
    chosen = negotiate(request.headers.get("Accept"), offered)
    if chosen is None:
        raise NotAcceptable(f"cannot answer in {request.headers.get('Accept')!r}; available: "
                            f"{', '.join(offered)}")
    return None if chosen == HTML else next(f for f in GRAPH_FORMATS if f.media_type == chosen)


def _rdf_response(triples: list[ox.Triple], fmt: Format, *, location: str | None = None) -> Response:
    prefixes = {**PREFIXES, "sh": SH, "id": _state().settings.base_iri}
    if fmt.key == "turtle":
        body = ox.serialize(triples, format=fmt.rdf_format, prefixes=prefixes) or b""
    else:
        body = ox.serialize(triples, format=fmt.rdf_format) or b""
    response = Response(body, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    if location:
        response.headers["Content-Location"] = location
    return response


def _wants_html() -> bool:
    accept = request.headers.get("Accept") or ""
    return request.args.get("format", "").lower() == "html" or (
        "text/html" in accept and negotiate(accept, [HTML, "application/json"]) == HTML)


# -- /id/{path} ------------------------------------------------------------------------------------
def _resource_iri(path: str) -> str:
    segments = path.split("/")
    if not _SAFE_PATH.fullmatch(path) or any(s in (".", "..") for s in segments):
        raise NotFound(f"no resource at /id/{path}")
    iri = _state().settings.base_iri + path
    try:
        return node(iri).value
    except Exception:  # noqa: BLE001 - any malformed IRI is simply not ours
        raise NotFound(f"no resource at /id/{path}") from None


@bp.get("/id/<path:path>")
def resource(path: str) -> Response:
    try:
        iri = _resource_iri(path)
        fmt = _choose(html_first=False)
        location = f"{request.script_root}/id/{quote(path)}?format={fmt.key if fmt else 'html'}"
        if fmt is not None:
            from kg.describe import describe
            description = describe(_state().store, iri)
            return _rdf_response(description.triples(), fmt, location=location)
        state = _state()
        page = build_page(state.store, iri, _questions(), base_iri=state.settings.base_iri)
    except NotFound as exc:
        if _wants_html():
            html = render_template("page_404.html", detail=exc.detail, path=path)
            return Response(html, status=404, content_type="text/html; charset=utf-8")
        raise
    html = render_template(f"resource_{page.kind}.html" if page.kind != "resource" else "resource.html",
                           **_page_context(page, path))
    response = Response(html, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept"
    response.headers["Content-Location"] = location
    return response


class _View:
    """Helpers the templates use to show terms: labels, links, literals."""

    def __init__(self, page: Page, base_iri: str) -> None:
        self.page, self.base_iri = page, base_iri

    def href(self, iri: str) -> str:
        if iri.startswith(self.base_iri) and _SAFE_PATH.fullmatch(iri[len(self.base_iri):] or "-"):
            tail = iri[len(self.base_iri):]
            path, hash_, fragment = tail.partition("#")
            return f"{request.script_root}/id/{path}" + (f"#{fragment}" if hash_ else "")
        return iri

    def label(self, iri: str, lang: str = "id") -> str:
        return self.page.label(iri, lang)

    def both(self, iri: str) -> tuple[str, str | None]:
        """(Indonesian label, English label when it differs)."""
        ind, eng = self.label(iri, "id"), self.label(iri, "en")
        return ind, (eng if eng != ind else None)

    def curie(self, iri: str) -> str:
        for prefix, ns in PREFIXES.items():
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def term(self, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> dict[str, object]:
        if isinstance(term, ox.NamedNode):
            ind, eng = self.both(term.value)
            return {"kind": "iri", "href": self.href(term.value), "text": ind, "en": eng,
                    "iri": term.value, "ours": term.value.startswith(self.base_iri)}
        if isinstance(term, ox.BlankNode):
            return {"kind": "bnode", "text": f"_:{term.value}"}
        note = term.language or ("" if term.datatype.value in (XSD + "string",) else
                                 self.curie(term.datatype.value))
        return {"kind": "literal", "text": term.value, "note": note,
                "link": term.value if term.datatype.value == XSD + "anyURI" else None}

    def properties(self) -> list[dict[str, object]]:
        groups: dict[str, list] = {}
        for t in self.page.description.outgoing:
            groups.setdefault(t.predicate.value, []).append(t.object)
        order = {p: i for i, p in enumerate(_FIRST)}
        rows = []
        for predicate in sorted(groups, key=lambda p: (order.get(p, len(order)), self.label(p, "en").lower())):
            values = sorted(groups[predicate], key=lambda o: (not isinstance(o, ox.Literal) or o.language != "id", str(o)))
            rows.append({"predicate": predicate, "curie": self.curie(predicate),
                         "label": self.both(predicate), "href": self.href(predicate),
                         "values": [self.term(v) for v in values]})
        return rows

    def incoming(self) -> list[dict[str, object]]:
        rows = []
        for t in sorted(self.page.description.incoming, key=lambda t: (t.predicate.value, str(t.subject))):
            rows.append({"subject": self.term(t.subject), "predicate": self.term(t.predicate)})
        return rows


def _page_context(page: Page, path: str) -> dict[str, object]:
    state = _state()
    view = _View(page, state.settings.base_iri)
    description = page.description
    context: dict[str, object] = {
        "page": page, "d": description, "v": view, "path": path, "iri": description.iri,
        "title": view.both(description.iri), "types": [view.term(ox.NamedNode(t)) for t in description.types],
        "properties": view.properties(), "incoming": view.incoming(),
        "sources": description.sources, "illustrative": description.is_illustrative,
        "formats": [(f.key, f.media_type) for f in GRAPH_FORMATS],
        "codes": kemendagri_codes(description), "chart": None,
    }
    if page.kind == "sentra":
        points = [(u.year, u.units, u.illustrative) for u in page.units]
        context["chart"] = bar_chart(points, title="Unit usaha per tahun / units per year") if points else None
    if page.kind == "concept":
        context["users"] = [(view.term(ox.NamedNode(p)), view.term(ox.NamedNode(s))) for p, s in page.users]
        context["concept_uses"] = CONCEPT_USES
    return context


# -- ontology and shapes --------------------------------------------------------------------------
def _ontology_html() -> str:
    cached = current_app.extensions.get(_ONTOLOGY_HTML)
    if cached is not None:
        return cached
    with _ONTOLOGY_LOCK:
        cached = current_app.extensions.get(_ONTOLOGY_HTML)
        if cached is None:
            cached = render_ontology(str(data_file("ontology", "klaster.ttl")))
            current_app.extensions[_ONTOLOGY_HTML] = cached
    return cached


def render_ontology(path: str) -> str:
    """pyLODE's OntPub documentation of the ontology file at ``path`` (offline)."""
    try:
        import pylode.utils as pylode_utils
        from dominate.tags import span
        from pylode import OntPub
    except ImportError as exc:
        raise StoreError(f"the ontology documentation needs pyLODE (pip install 'pylode==3.3.4'): {exc}") from None
    original = getattr(pylode_utils.intersperse, "__wrapped__", pylode_utils.intersperse)

    def intersperse(items, separator):  # pyLODE puts the result in a set: make it hashable
        return span(*original(list(items), separator))

    intersperse.__wrapped__ = original  # type: ignore[attr-defined]
    pylode_utils.intersperse = intersperse  # nested owl:unionOf inside owl:intersectionOf
    return OntPub(ontology=path).make_html()


@bp.get("/ontology")
def ontology() -> Response:
    fmt = _choose(html_first=True)
    if fmt is None:
        response = Response(_ontology_html(), content_type="text/html; charset=utf-8")
        response.headers["Vary"] = "Accept"
        return response
    path = data_file("ontology", "klaster.ttl")
    if fmt.key == "turtle":
        response = Response(path.read_bytes(), content_type=fmt.content_type)
        response.headers["Vary"] = "Accept"
        return response
    return _rdf_response(list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)), fmt)


@bp.get("/shapes")
def shapes() -> Response:
    override = request.args.get("format")
    fmt = GRAPH_FORMATS[0]
    if override or request.headers.get("Accept"):
        from kg.formats import choose_format
        try:
            fmt = choose_format(request.headers.get("Accept"), GRAPH_FORMATS, override=override)
        except NotAcceptable:
            if override:
                raise
    triples: list[ox.Triple] = []
    for path in sorted(data_folder("shapes").glob("*.ttl")):
        triples.extend(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    return _rdf_response(triples, fmt)


# -- VoID / DCAT ----------------------------------------------------------------------------------
@bp.get("/.well-known/void")
def void() -> Response:
    from kg.formats import choose_format
    try:
        fmt = choose_format(request.headers.get("Accept"), GRAPH_FORMATS,
                            override=request.args.get("format"))
    except NotAcceptable:
        if request.args.get("format"):
            raise
        fmt = GRAPH_FORMATS[0]
    state = _state()
    root = request.url_root.rstrip("/")
    triples = void_triples(state.store, state.settings.base_iri, Endpoints.under(root))
    response = Response(serialise(triples, fmt.rdf_format), content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response


# -- dumps ------------------------------------------------------------------------------------------
def _gzip_response(body, filename: str) -> Response:
    response = Response(body, content_type="application/gzip")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get(f"/dumps/{DATASET_FILE}")
def dataset_dump() -> Response:
    return _gzip_response(gzip_dump(_state().store), DATASET_FILE)


@bp.get(f"/dumps/{GRAPH_FILE}")
def graph_dump() -> Response:
    graphs = request.args.getlist("graph")
    if len(graphs) != 1:
        from kg.errors import BadRequest
        raise BadRequest(f"name one graph: /dumps/{GRAPH_FILE}?graph=IRI")
    graph = node(graphs[0]).value
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", local_name(graph)) or "graph"
    return _gzip_response(gzip_dump(_state().store, graph), f"{name}.nt.gz")


@bp.get("/dumps")
@bp.get("/dumps/")
def dumps() -> Response:
    """The dump links (as in the VoID description), for people and scripts."""
    state = _state()
    links = [url_for("linked_data.dataset_dump", _external=True)]
    links += [url_for("linked_data.graph_dump", graph=g, _external=True) for g in state.store.graphs()]
    return Response("\n".join(links) + "\n", content_type="text/plain; charset=utf-8")

