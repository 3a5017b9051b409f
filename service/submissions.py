"""Steward routes: submit, list, inspect, replace and withdraw submissions; the upload page.

A thin shell over :mod:`kg.submissions` and :mod:`kg.auth`. Reading is public; writing needs a
steward or admin bearer token. A steward may replace or withdraw only their own submissions.
Every write, accepted or rejected, is appended to the write log.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from kg.auth import Principal, TokenRegistry
from kg.errors import BadRequest, PayloadTooLarge
from kg.settings import Settings
from kg.store import Store
from kg import submissions as subs
from service.auth import require

bp = Blueprint("submissions", __name__, template_folder="templates")


# -- app state -----------------------------------------------------------------------------------
def _state() -> Any:
    return current_app.extensions["klaster"]


def _get(name: str) -> Any:
    return getattr(_state(), name)


def _store() -> Store:
    return _get("store")


def _settings() -> Settings:
    return _get("settings")


def _registry() -> TokenRegistry:
    return _state().auth


def _principal() -> Any:
    """The writer this request's bearer token names (steward or admin), or 401/403."""
    return require("steward", "admin")


# -- helpers -------------------------------------------------------------------------------------
def _lang() -> str:
    header = (request.headers.get("Accept-Language") or "").strip().lower()
    return "en" if header.startswith("en") else "id"


def _report_json(report: Any, lang: str) -> dict[str, Any]:
    """The validation report as JSON (part A's rendering when it offers one)."""
    try:
        from kg.validate import report_to_json  # type: ignore[attr-defined]
    except ImportError:
        report_to_json = None
    if report_to_json is not None:
        return report_to_json(report, lang=lang)
    if hasattr(report, "to_json"):
        return report.to_json(lang=lang)
    findings = []
    for f in report.findings:
        message = f.message.get(lang) or f.message.get("en") if isinstance(f.message, dict) else f.message
        findings.append({"severity": str(f.severity), "message": message, "focus": _text(f.focus),
                         "path": _text(f.path), "value": _text(f.value),
                         "constraint": _text(f.constraint), "row": f.row, "column": f.column})
    return {"conforms": report.conforms, "counts": report.counts(), "findings": findings}


def _text(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return getattr(value, "value", str(value))


def _upload() -> tuple[bytes, str | None, str | None, str | None]:
    """(data, filename, media type, kind) from a multipart form or a raw body."""
    limit = _settings().max_body
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"the body is larger than {limit} bytes (KLASTER_MAX_BODY)")
    kind = request.args.get("kind") or None
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise BadRequest("the form has no 'file' field")
        data = upload.read(limit + 1)
        kind = request.form.get("kind") or kind
        filename, media_type = upload.filename or None, upload.mimetype or None
        if media_type == "application/octet-stream":
            media_type = None
    else:
        data = request.get_data(cache=False)
        filename = request.args.get("filename") or None
        media_type = request.mimetype or None
    if len(data) > limit:
        raise PayloadTooLarge(f"the body is larger than {limit} bytes (KLASTER_MAX_BODY)")
    if not data:
        raise BadRequest("the submission is empty")
    return data, filename, media_type, kind


def _ingest(principal: Principal, replaces: str | None) -> Response:
    data, filename, media_type, kind = _upload()
    outcome = subs.submit(_store(), _settings(), data, principal=principal, filename=filename,
                          media_type=media_type, kind=kind, replaces=replaces)
    registry = _registry()
    if not outcome.accepted:
        registry.log(principal, "submit-rejected", filename or "-",
                     f"replaces {replaces}" if replaces else None)
        body = _report_json(outcome.report, _lang())
        body["accepted"] = False
        response = jsonify(body)
        response.status_code = 422
        return response
    record = outcome.record
    registry.log(principal, "replace" if replaces else "submit", record.id,
                 f"replaces {replaces}" if replaces else None)
    body = record.to_json()
    body["accepted"] = True
    body["report"] = _report_json(outcome.report, _lang())
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = f"/submissions/{record.id}"
    return response


# -- routes --------------------------------------------------------------------------------------
@bp.post("/submissions")
def create() -> Response:
    return _ingest(_principal(), None)


@bp.get("/submissions")
def index() -> Response:
    records = subs.list_submissions(_store(), base_iri=_settings().base_iri)
    status = request.args.get("status")
    if status:
        records = [r for r in records if r.status == status]
    return jsonify({"submissions": [r.to_json() for r in records]})


@bp.get("/submissions/<submission_id>")
def show(submission_id: str) -> Response:
    record = subs.get_submission(_store(), submission_id, base_iri=_settings().base_iri)
    return jsonify(record.to_json())


@bp.put("/submissions/<submission_id>")
def replace(submission_id: str) -> Response:
    principal = _principal()
    subs.check_id(submission_id)
    return _ingest(principal, submission_id)


@bp.delete("/submissions/<submission_id>")
def withdraw(submission_id: str) -> Response:
    principal = _principal()
    record = subs.withdraw(_store(), _settings(), submission_id, principal=principal)
    _registry().log(principal, "withdraw", record.id)
    return jsonify(record.to_json())


@bp.get("/upload")
def upload_page() -> str:
    try:
        from kg.validate import KINDS  # type: ignore[attr-defined]
    except ImportError:
        KINDS = ()
    return render_template("upload.html", kinds=list(KINDS))
