"""Reading a SPARQL 1.1 Protocol request: which operation, which text, which dataset.

https://www.w3.org/TR/sparql11-protocol/ — a query comes by GET (``?query=``), by POST of a form
(``application/x-www-form-urlencoded``) or by POST of the query itself
(``application/sparql-query``); an update by POST of a form or of the update itself
(``application/sparql-update``). Anything else is a 4xx.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Request

from kg.errors import BadRequest, UnsupportedMediaType

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"


@dataclass(frozen=True)
class Operation:
    """``kind`` is ``query``, ``update`` or ``none`` (no operation: service description or page)."""

    kind: str
    text: str = ""
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise BadRequest(f"give exactly one {name!r} parameter, not {len(values)}")
    return values[0] if values else None


def _decode(request: Request) -> str:
    charset = (request.mimetype_params.get("charset") or "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"the body must be UTF-8, not {charset}")
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the body is not valid UTF-8: {exc}") from None


def read_operation(request: Request) -> Operation:
    """The operation a request asks for; raises a 4xx :mod:`kg.errors` error when it is malformed."""
    args = request.args
    if request.method in ("GET", "HEAD"):
        if "update" in args:
            raise BadRequest("updates must be sent with POST, not GET")
        query = _single(args.getlist("query"), "query")
        if query is None:
            return Operation("none")
        return Operation("query", query, tuple(args.getlist("default-graph-uri")),
                         tuple(args.getlist("named-graph-uri")))
    if request.method != "POST":
        raise BadRequest(f"SPARQL operations use GET or POST, not {request.method}")
    mimetype = request.mimetype
    if mimetype == FORM:
        form = request.form
        query = _single(form.getlist("query"), "query")
        update = _single(form.getlist("update"), "update")
        if query is not None and update is not None:
            raise BadRequest("give either 'query' or 'update', not both")

        def both(name: str) -> tuple[str, ...]:
            return tuple(args.getlist(name) + form.getlist(name))

        if update is not None:
            return Operation("update", update, both("using-graph-uri"), both("using-named-graph-uri"))
        if query is not None:
            return Operation("query", query, both("default-graph-uri"), both("named-graph-uri"))
        raise BadRequest("the form has neither a 'query' nor an 'update' field")
    if mimetype == QUERY_TYPE:
        return Operation("query", _decode(request), tuple(args.getlist("default-graph-uri")),
                         tuple(args.getlist("named-graph-uri")))
    if mimetype == UPDATE_TYPE:
        return Operation("update", _decode(request), tuple(args.getlist("using-graph-uri")),
                         tuple(args.getlist("using-named-graph-uri")))
    if not mimetype:
        raise UnsupportedMediaType(
            f"a POST to the SPARQL endpoint needs a Content-Type: {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}")
    raise UnsupportedMediaType(
        f"cannot read a {mimetype} body; use {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}")
