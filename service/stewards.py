"""Steward routes: ``POST /validate`` and the templates at ``/templates/{kind}.csv|.xlsx|.csv-metadata.json``.

A thin shell over :mod:`kg.validate`, :mod:`kg.report` and :mod:`kg.templates`. Validation stores
nothing and needs no token. The app keeps ``{"store", "settings"}`` (a mapping or an object with
those attributes) in ``app.extensions["klaster"]``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from kg import report as reports
from kg import templates
from kg.errors import BadRequest, NotFound

bp = Blueprint("stewards", __name__, template_folder="templates")

#: Report formats of ``POST /validate`` by media type; the first is the default.
REPORT_TYPES = ("application/json", "text/turtle", "text/html", "text/plain")
_FORMAT_ALIASES = {"json": "application/json", "turtle": "text/turtle", "ttl": "text/turtle",
                   "html": "text/html", "text": "text/plain"}


def _get(name: str) -> Any:
    state = current_app.extensions["klaster"]
    return state[name] if isinstance(state, dict) else getattr(state, name)


def _report_type() -> str:
    wanted = request.args.get("format")
    if wanted:
        if wanted not in _FORMAT_ALIASES:
            raise BadRequest(f"unknown format {wanted!r}: use json, turtle, html or text")
        return _FORMAT_ALIASES[wanted]
    best = request.accept_mimetypes.best_match(REPORT_TYPES, default=REPORT_TYPES[0])
    if request.accept_mimetypes.best == "*/*" or best is None:
        return REPORT_TYPES[0]
    return best


def _upload() -> tuple[bytes, str | None, str | None]:
    """The submitted bytes, their file name and media type (raw body or a multipart ``file``)."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise BadRequest("send the file in a form field named 'file'")
        return upload.read(), upload.filename, upload.mimetype
    return request.get_data(cache=False), request.args.get("filename"), request.mimetype or None


@bp.post("/validate")
def validate() -> Response:
    from kg.validate import read_submission, validate_submission

    settings = _get("settings")
    data, filename, media_type = _upload()
    kind = request.values.get("kind") or None
    lang = reports.language(request.headers.get("Accept-Language"))
    submission = read_submission(data, filename=filename, media_type=media_type, kind=kind,
                                 base_iri=settings.base_iri)
    report = validate_submission(_get("store"), submission, base_iri=settings.base_iri,
                                 replaces=request.values.get("replaces") or None)
    media = _report_type()
    if media == "text/turtle":
        response = Response(reports.to_turtle(report), content_type="text/turtle; charset=utf-8")
    elif media == "text/html":
        response = Response(reports.to_html(report, lang=lang, submission=submission),
                            content_type="text/html; charset=utf-8")
    elif media == "text/plain":
        response = Response(reports.to_text(report, lang=lang, submission=submission),
                            content_type="text/plain; charset=utf-8")
    else:
        response = jsonify(reports.to_json(report, lang=lang, submission=submission))
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept, Accept-Language"
    return response


@bp.get("/templates/<kind>.csv-metadata.json")
def template_metadata(kind: str) -> Response:
    return Response(templates.metadata_json(kind), content_type="application/csvm+json")


@bp.get("/templates/<path:name>")
def template_file(name: str) -> Response:
    kind, _, extension = name.rpartition(".")
    if extension == "csv":
        body, media = templates.csv_template(kind), "text/csv; charset=utf-8"
    elif extension == "xlsx":
        body, media = templates.xlsx_template(kind), templates.XLSX_MEDIA_TYPE
    else:
        raise NotFound(f"no template {name!r}: ask for {{kind}}.csv, .xlsx or .csv-metadata.json")
    response = Response(body, content_type=media)
    response.headers["Content-Disposition"] = f'attachment; filename="{kind}.{extension}"'
    return response
