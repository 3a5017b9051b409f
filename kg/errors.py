"""One error tree for the whole library.

Every error carries an HTTP status and a short title so that the service can render it as RFC 9457
problem+json and the CLI as a one-line message with a non-zero exit code.
"""

from __future__ import annotations


class KlasterError(Exception):
    """Base of every error Klaster raises on purpose."""

    status = 500
    title = "Internal error"
    exit_code = 1

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class BadRequest(KlasterError):
    """The input (a query, a parameter, a file) is malformed."""

    status = 400
    title = "Bad request"
    exit_code = 2


class QuerySyntaxError(BadRequest):
    """A SPARQL query or update does not parse."""

    title = "SPARQL syntax error"


class UnsupportedFormat(BadRequest):
    """An RDF or result format Klaster cannot read or write."""

    title = "Unsupported format"


class Unauthorized(KlasterError):
    status = 401
    title = "Authentication required"


class Forbidden(KlasterError):
    status = 403
    title = "Forbidden"


class NotFound(KlasterError):
    status = 404
    title = "Not found"


class NotAcceptable(KlasterError):
    status = 406
    title = "Not acceptable"


class Conflict(KlasterError):
    """The target changed state (e.g. a submission already replaced or withdrawn)."""

    status = 409
    title = "Conflict"


class PayloadTooLarge(KlasterError):
    status = 413
    title = "Payload too large"


class UnsupportedMediaType(KlasterError):
    status = 415
    title = "Unsupported media type"


class QueryTimeout(KlasterError):
    """A query ran longer than ``KLASTER_QUERY_TIMEOUT`` and was stopped."""

    status = 503
    title = "Query timed out"


class Busy(KlasterError):
    """Every slot for SPARQL queries is taken; the client should try again shortly."""

    status = 503
    title = "Server busy"


class StoreError(KlasterError):
    """The store could not be opened, read or written."""

    status = 503
    title = "Store unavailable"
