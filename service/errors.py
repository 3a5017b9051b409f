"""Every error as RFC 9457 ``application/problem+json``: status, title, detail, never a traceback."""

from __future__ import annotations

import json
import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from kg.errors import KlasterError, Unauthorized

log = logging.getLogger("klaster.service")

PROBLEM_TYPE = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: object) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail,
            "instance": request.path}
    body.update({k: v for k, v in extra.items() if k not in body})
    return Response(json.dumps(body, ensure_ascii=False, default=str), status=status,
                    content_type=PROBLEM_TYPE)


def _klaster_error(exc: KlasterError) -> Response:
    if exc.status >= 500:
        log.warning("%s %s: %s", request.method, request.path, exc.detail)
    response = problem(exc.status, exc.title, exc.detail, **exc.extra)
    if isinstance(exc, Unauthorized):
        response.headers["WWW-Authenticate"] = 'Bearer realm="klaster"'
    if exc.extra.get("retry_after"):
        response.headers["Retry-After"] = str(exc.extra["retry_after"])
    return response


def _http_error(exc: HTTPException) -> Response:
    response = problem(exc.code or 500, exc.name, exc.description or exc.name)
    for name, value in exc.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


def _unexpected(exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.path)
    return problem(500, "Internal error",
                   "the server failed to answer this request; the error has been logged")


def register(app: Flask) -> None:
    app.register_error_handler(KlasterError, _klaster_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
