"""Admin writes: SPARQL updates (handed over by ``/sparql``) and Graph Store writes on ``/data``.

Every write needs the admin role (:func:`service.auth.require`).
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from kg.errors import BadRequest, NotFound, UnsupportedMediaType
from kg.rdf_limits import check_rdf
from kg.sparql_text import add_using, has_using_or_with
from service.auth import require
from service.graph_store import graph_exists, target_graph
from service.protocol import Operation

blueprint = Blueprint("admin", __name__)

#: RDF syntaxes a Graph Store write may carry.
_BODY_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "text/n3": ox.RdfFormat.N3,
}


def _store():
    return current_app.extensions["klaster"].store


def _log(principal, action: str, target: str | None, detail: str | None = None) -> None:
    """Record a write in the write log (who, role, when, what, where): see :mod:`kg.auth`."""
    registry = getattr(current_app.extensions["klaster"], "auth", None)
    if registry is not None:
        registry.log(principal, action, target or "default graph", detail)


def run_update(operation: Operation) -> Response:
    """Run a protocol update; ``using-graph-uri``/``using-named-graph-uri`` become USING clauses."""
    principal = require("admin")
    text = operation.text
    if operation.default_graphs or operation.named_graphs:
        if has_using_or_with(text):
            raise BadRequest("the dataset is given twice: by using-graph-uri/using-named-graph-uri "
                             "and by USING/WITH in the update; give it once")
        text = add_using(text, list(operation.default_graphs), list(operation.named_graphs))
    _store().update(text, base_iri=request.base_url)
    _log(principal, "sparql-update", "/sparql", text if len(text) <= 2000 else text[:2000] + "…")
    return Response(status=204)


def _body_quads(graph: str | None) -> list[ox.Quad]:
    mimetype = request.mimetype
    fmt = _BODY_FORMATS.get(mimetype)
    if fmt is None:
        raise UnsupportedMediaType(f"cannot read a {mimetype or 'body without Content-Type'}; "
                                   f"send one of {', '.join(sorted(_BODY_FORMATS))}")
    target = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
    check_rdf(request.get_data(cache=True), fmt)  # nesting and entity expansion limits
    try:
        triples = list(ox.parse(request.get_data(cache=True), format=fmt,
                                base_iri=graph or request.base_url))
    except SyntaxError as exc:
        raise BadRequest(f"the {mimetype} body does not parse: {exc}") from None
    return [ox.Quad(t.subject, t.predicate, t.object, target) for t in triples]


def _replace_default(quads: list[ox.Quad]) -> None:
    body = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
    text = body.decode() if body else ""
    _store().update(f"DROP SILENT DEFAULT ;\nINSERT DATA {{\n{text}}}")


@blueprint.route("/data", methods=["PUT"])
def put_graph() -> Response:
    principal = require("admin")
    graph = target_graph()
    store = _store()
    existed = graph_exists(store, graph)
    quads = _body_quads(graph)
    if graph is None:
        _replace_default(quads)
    else:
        store.replace_graph(graph, quads)
    _log(principal, "graph-replace", graph, f"{len(quads)} triples")
    return Response(status=204 if existed else 201)


@blueprint.route("/data", methods=["POST"])
def post_graph() -> Response:
    principal = require("admin")
    graph = target_graph()
    store = _store()
    existed = graph_exists(store, graph)
    quads = _body_quads(graph)
    store.add(quads)
    _log(principal, "graph-add", graph, f"{len(quads)} triples")
    return Response(status=204 if existed else 201)


@blueprint.route("/data", methods=["DELETE"])
def delete_graph() -> Response:
    principal = require("admin")
    graph = target_graph()
    store = _store()
    if not graph_exists(store, graph):
        raise NotFound(f"no graph <{graph}> in this store")
    store.drop_graph(graph)
    _log(principal, "graph-drop", graph)
    return Response(status=204)
