"""SPARQL 1.1 Graph Store HTTP Protocol, read side: ``GET``/``HEAD /data?graph=IRI`` or ``?default``.

``?default`` is the store's real default graph (not the union queries see). Writes (PUT, POST,
DELETE) are in :mod:`service.admin`.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from kg.errors import BadRequest, NotFound
from kg.formats import GRAPH_FORMATS, choose_format
from kg.store import node
from service import cors
from service.streaming import stream

blueprint = Blueprint("graph_store", __name__)
cors.allow_reads(blueprint)


def target_graph() -> str | None:
    """The graph a request addresses: an IRI, or None for the default graph."""
    graphs = request.args.getlist("graph")
    has_default = "default" in request.args
    if has_default and graphs:
        raise BadRequest("give either ?default or ?graph=IRI, not both")
    if len(graphs) > 1:
        raise BadRequest("give one ?graph=IRI")
    if graphs:
        return node(graphs[0]).value
    if has_default:
        return None
    raise BadRequest("name the graph: /data?graph=IRI, or /data?default for the default graph")


def graph_exists(store, graph: str | None) -> bool:
    return graph is None or graph in store.graphs()


@blueprint.route("/data", methods=["GET", "HEAD"])
def read_graph() -> Response:
    store = current_app.extensions["klaster"].store
    graph = target_graph()
    fmt = choose_format(request.headers.get("Accept"), GRAPH_FORMATS,
                        override=request.args.get("format"))
    if not graph_exists(store, graph):
        raise NotFound(f"no graph <{graph}> in this store")
    if request.method == "HEAD":
        response = Response(b"", content_type=fmt.content_type)
    else:
        body = stream(lambda out: store.dump(out, format=fmt.rdf_format, graph=graph, all_graphs=False))
        response = Response(body, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response
