"""The canned questions on the web: ``GET /api`` (catalogue), ``/api/openapi.json``, ``/api/{name}``.

A thin shell over :mod:`kg.questions`: the request's query string becomes the parameters of
:func:`kg.questions.run_question`, the answer is JSON (CONTRACT.md) or CSV. Registering the
blueprint loads every ``queries/*.rq`` file, so a broken question stops the app at start-up.

The app must hold ``app.extensions["klaster"]`` with ``.store`` and ``.settings`` (the
:class:`service.ServiceState`) before it registers :data:`bp`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from kg.errors import KlasterError, NotAcceptable
from kg.formats import negotiate
from kg.openapi import openapi_document
from kg.question_output import CSV_MEDIA_TYPE, JSON_MEDIA_TYPE, to_csv, to_json
from kg.questions import Question, get_question, list_values, load_questions, run_question
from service.cors import allow_reads

bp = Blueprint("api", __name__, url_prefix="/api", template_folder="templates")
allow_reads(bp)

#: Where the loaded questions live on the app.
EXTENSION = "klaster.questions"
_FORMATS = {"json": JSON_MEDIA_TYPE, "csv": CSV_MEDIA_TYPE}


@bp.record_once
def _load_questions(state) -> None:
    settings = state.app.extensions["klaster"].settings
    state.app.extensions[EXTENSION] = load_questions(base_iri=settings.base_iri)


def _questions() -> dict[str, Question]:
    return current_app.extensions[EXTENSION]


def _state():
    return current_app.extensions["klaster"]


def _media_type() -> str:
    override = request.args.get("format")
    if override is not None:
        if override not in _FORMATS:
            raise NotAcceptable(f"unknown format {override!r}; use json or csv", parameter="format")
        return _FORMATS[override]
    accept = request.headers.get("Accept")
    if not accept:
        return JSON_MEDIA_TYPE
    chosen = negotiate(accept, [JSON_MEDIA_TYPE, CSV_MEDIA_TYPE])
    if chosen is None:
        raise NotAcceptable(f"cannot answer in {accept!r}; available: {JSON_MEDIA_TYPE}, {CSV_MEDIA_TYPE}")
    return chosen


def example_url(question: Question, **extra: str) -> str:
    query = {**question.example_call(), **extra}
    return f"{request.script_root}/api/{question.name}" + (f"?{urlencode(query)}" if query else "")


@bp.get("")
@bp.get("/")
def catalogue() -> str:
    state = _state()
    values: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for question in _questions().values():
        for param in question.params:
            if param.values_query and (question.name, param.name) not in values:
                try:
                    values[(question.name, param.name)] = list_values(state.store, param, limit=100)
                except KlasterError:
                    values[(question.name, param.name)] = []
    return render_template("api.html", questions=list(_questions().values()), values=values,
                           example_url=example_url)


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document(_questions().values(), server_url=request.script_root or "/"))


@bp.get("/<name>")
def answer(name: str) -> Response:
    question = get_question(_questions(), name)
    media_type = _media_type()
    # an empty value (an HTML form's blank field) counts as not given
    raw = {k: vs if len(vs) > 1 else vs[0] for k, values in request.args.lists()
           if k != "format" and (vs := [v for v in values if v != ""])}
    state = _state()
    table = run_question(state.store, question, raw, base_iri=state.settings.base_iri,
                         max_rows=state.settings.max_rows)
    next_url = None
    if table.truncated:
        args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("offset", "page")]
        args.append(("offset", str(table.offset + table.limit)))
        next_url = f"{request.script_root}{request.path}?{urlencode(args)}"
    if media_type == CSV_MEDIA_TYPE:
        response = Response(to_csv(table), content_type=f"{CSV_MEDIA_TYPE}; charset=utf-8")
        response.headers["Content-Disposition"] = f'inline; filename="{question.name}.csv"'
    else:
        response = Response(to_json(table, next=next_url), content_type=f"{JSON_MEDIA_TYPE}; charset=utf-8")
    response.headers["Vary"] = "Accept"
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
        response.headers["X-Klaster-Truncated"] = "true"
    return response
