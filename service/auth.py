"""Who may write: bearer tokens checked in constant time.

Today there is one role, ``admin``, whose token is ``KLASTER_ADMIN_TOKEN``. Further roles (stewards
with tokens in the auth database) plug in as extra authenticators on the app: each takes the token
and returns a :class:`Principal` or None.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, request

from kg.errors import Forbidden, Unauthorized


@dataclass(frozen=True)
class Principal:
    name: str
    role: str


Authenticator = Callable[[str], "Principal | None"]


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def admin_authenticator(admin_token: str | None) -> Authenticator:
    def check(token: str) -> Principal | None:
        if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
            return Principal("admin", "admin")
        return None
    return check


def authenticators() -> list[Authenticator]:
    return current_app.extensions["klaster"].authenticators


def require(*roles: str) -> Principal:
    """The principal of this request if it holds one of ``roles``; else 401 (no token) or 403."""
    token = bearer_token()
    if token is None:
        raise Unauthorized("this operation needs an 'Authorization: Bearer <token>' header")
    settings = current_app.extensions["klaster"].settings
    if not settings.admin_token and len(authenticators()) <= 1:
        raise Forbidden("writes are disabled on this server: no KLASTER_ADMIN_TOKEN is configured")
    for authenticate in authenticators():
        principal = authenticate(token)
        if principal is not None:
            if principal.role in roles:
                return principal
            raise Forbidden(f"the {principal.role} role may not do this; it needs {' or '.join(roles)}")
    raise Forbidden("the token is not valid")
