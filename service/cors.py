"""CORS for public reads: any origin may query, no origin may send credentials for writes."""

from __future__ import annotations

from flask import Blueprint, Response, request

ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS"
# Authorization is deliberately not allowed: browsers on other sites cannot send admin tokens.
ALLOWED_HEADERS = "Accept, Content-Type"
EXPOSED_HEADERS = "X-Klaster-Truncated, X-Klaster-Row-Limit, Warning, Server-Timing"


def add_headers(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def allow_reads(blueprint: Blueprint) -> None:
    blueprint.after_request(add_headers)
