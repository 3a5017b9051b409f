"""The public SPARQL endpoint: ``/sparql`` queries, the service description and the query page.

Updates arrive at the same URL (the protocol says so) and are handed to :mod:`service.admin`.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from kg.errors import NotAcceptable
from kg.executor import QueryOutcome, QueryRequest
from kg.formats import GRAPH_FORMATS, RESULT_FORMATS, Format, accepts_html, choose_format
from kg.namespaces import sparql_prologue
from service import cors
from service.admission import admission
from service.description import service_description
from service.examples import load_examples
from service.protocol import read_operation

blueprint = Blueprint("sparql", __name__)
cors.allow_reads(blueprint)

#: Response headers that say a result was cut at ``KLASTER_MAX_ROWS``.
TRUNCATED_HEADER = "X-Klaster-Truncated"
ROW_LIMIT_HEADER = "X-Klaster-Row-Limit"


def _state():
    return current_app.extensions["klaster"]


@blueprint.route("/sparql", methods=["GET", "POST"])
@blueprint.route("/sparql/", methods=["GET", "POST"])
def endpoint() -> Response:
    operation = read_operation(request)
    accept = request.headers.get("Accept")
    if operation.kind == "update":
        from service.admin import run_update
        return run_update(operation)
    wants_page = request.method == "GET" and accepts_html(accept) and not _format_override()
    if operation.kind == "none":
        if wants_page:
            return query_page("")
        return _description(accept)
    if wants_page:
        return query_page(operation.text)
    return run_query(operation.text, operation.default_graphs, operation.named_graphs, accept)


def _format_override() -> str | None:
    return request.values.get("format") or request.values.get("output")


def _find(key: str, formats: tuple[Format, ...]) -> Format | None:
    key = key.lower()
    return next((f for f in formats if key in (f.key, f.media_type, *f.aliases)), None)


def _formats(accept: str | None) -> tuple[Format | None, Format | None]:
    """The results format and the graph format to answer in (None: the client takes none)."""
    override = _format_override()
    if override:
        results, graph = _find(override, RESULT_FORMATS), _find(override, GRAPH_FORMATS)
        if results is None and graph is None:
            raise NotAcceptable(f"unknown format {override!r}; use one of "
                                f"{', '.join(f.key for f in RESULT_FORMATS + GRAPH_FORMATS)}")
        return results, graph
    picked = []
    for formats in (RESULT_FORMATS, GRAPH_FORMATS):
        try:
            picked.append(choose_format(accept, formats))
        except NotAcceptable:
            picked.append(None)
    if picked[0] is None and picked[1] is None:
        raise NotAcceptable(f"cannot answer in {accept!r}; results come as "
                            f"{', '.join(f.media_type for f in RESULT_FORMATS)} and graphs as "
                            f"{', '.join(f.media_type for f in GRAPH_FORMATS)}")
    return picked[0], picked[1]


def run_query(sparql: str, default_graphs: tuple[str, ...], named_graphs: tuple[str, ...],
              accept: str | None) -> Response:
    state = _state()
    results, graph = _formats(accept)
    with admission(current_app).slot():  # slow queries cannot take every thread and worker
        outcome = state.store.execute(QueryRequest(
            sparql,
            default_graphs=default_graphs or None,
            named_graphs=named_graphs or None,
            base_iri=request.base_url,
            results_format=(results or RESULT_FORMATS[0]).key,
            graph_format=(graph or GRAPH_FORMATS[0]).key,
            max_rows=state.settings.max_rows))
    if (outcome.kind == "graph" and graph is None) or (outcome.kind != "graph" and results is None):
        wanted = GRAPH_FORMATS if outcome.kind == "graph" else RESULT_FORMATS
        raise NotAcceptable(f"this query answers with {outcome.kind}, available as "
                            f"{', '.join(f.media_type for f in wanted)}")
    return _response(outcome, state.settings.max_rows)


def _response(outcome: QueryOutcome, max_rows: int) -> Response:
    response = Response(outcome.body, content_type=outcome.content_type)
    response.headers["Vary"] = "Accept"
    response.headers["Server-Timing"] = f"query;dur={outcome.seconds * 1000:.1f}"
    if outcome.truncated:
        response.headers[TRUNCATED_HEADER] = "true"
        response.headers[ROW_LIMIT_HEADER] = str(max_rows)
        response.headers["Warning"] = (f'199 klaster "result truncated to the first {max_rows} rows '
                                       '(KLASTER_MAX_ROWS); use LIMIT/OFFSET to page"')
    if _format_override():
        from kg.formats import BY_KEY
        response.headers["Content-Disposition"] = (
            f'attachment; filename="results.{BY_KEY[outcome.format].extension}"'
            if request.values.get("download") else "inline")
    return response


def _description(accept: str | None) -> Response:
    state = _state()
    try:
        fmt = choose_format(accept, GRAPH_FORMATS)
    except NotAcceptable:
        fmt = GRAPH_FORMATS[0]
    body = service_description(request.base_url, state.store.graphs(), fmt)
    response = Response(body, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response


def query_page(query: str) -> Response:
    state = _state()
    prologue = sparql_prologue(state.settings.base_iri)
    examples = load_examples()
    text = query or (prologue + "\nSELECT ?sentra ?label WHERE {\n  ?sentra a kl:Sentra ;\n"
                     "          rdfs:label ?label .\n}\nLIMIT 20\n")
    html = render_template("sparql.html", query=text, run=bool(query), examples=examples,
                           prologue=prologue, base_iri=state.settings.base_iri,
                           max_rows=state.settings.max_rows,
                           timeout=state.settings.query_timeout)
    response = Response(html, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response
