"""Who may write: bearer tokens for stewards and admins, and the append-only write log.

Tokens live in a small SQLite file (``settings.auth_db_path``), never in the RDF store. A token is
``<id>.<secret>``: the id (8 hex digits) is not secret and finds the row; the secret is
``secrets.token_urlsafe(32)`` (256 random bits). Only the SHA-256 of the whole token is stored.
A fast hash is the right tool here: slow password hashes (bcrypt, scrypt, Argon2) exist to make
guessing *low-entropy* passwords expensive, but nobody can enumerate 2**256 random tokens, so a
stolen database gives nothing back, and every request stays cheap to authenticate. Digests are
compared with :func:`hmac.compare_digest` so the time taken does not reveal how much matched.

``KLASTER_ADMIN_TOKEN``, when set, is one more admin principal named ``admin``.

Every write (submission, replacement, withdrawal, SPARQL update, Graph Store write) is recorded in
the ``write_log`` table with who, which role, when, what and on which target; triggers refuse to
update or delete its rows.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from kg.errors import BadRequest, NotFound, StoreError
from kg.settings import Settings

ROLES = ("steward", "admin")

#: Names become IRIs (``{base}steward/{name}``) and log entries: keep them plain.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TOKEN_PATTERN = re.compile(r"^([0-9a-f]{8})\.([A-Za-z0-9_-]{20,100})$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    token_id   TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('steward', 'admin')),
    sha256     TEXT NOT NULL,
    created    TEXT NOT NULL,
    revoked    TEXT
);
CREATE TABLE IF NOT EXISTS write_log (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    who     TEXT NOT NULL,
    role    TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT NOT NULL,
    detail  TEXT
);
CREATE TRIGGER IF NOT EXISTS write_log_no_update BEFORE UPDATE ON write_log
    BEGIN SELECT RAISE(ABORT, 'the write log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS write_log_no_delete BEFORE DELETE ON write_log
    BEGIN SELECT RAISE(ABORT, 'the write log is append-only'); END;
"""


@dataclass(frozen=True)
class Principal:
    """Someone allowed to write: a steward or an admin."""

    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may_change(self, owner: str) -> bool:
        """Whether this principal may replace or withdraw a submission made by ``owner``."""
        return self.is_admin or self.name == owner


@dataclass(frozen=True)
class IssuedToken:
    """A newly created token: ``token`` is shown once and never stored."""

    token_id: str
    name: str
    role: str
    token: str = ""

    def __repr__(self) -> str:  # keep the secret out of logs and tracebacks
        return f"IssuedToken(token_id={self.token_id!r}, name={self.name!r}, role={self.role!r})"


@dataclass(frozen=True)
class TokenRecord:
    token_id: str
    name: str
    role: str
    created: str
    revoked: str | None

    @property
    def active(self) -> bool:
        return self.revoked is None


@dataclass(frozen=True)
class LogEntry:
    seq: int
    at: str
    who: str
    role: str
    action: str
    target: str
    detail: str | None


def now_utc() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise BadRequest(f"invalid name {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
                         "starting with a letter or digit")
    return name


def parse_bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header value, or None."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


class TokenRegistry:
    """Tokens and the write log in one SQLite file."""

    def __init__(self, path: str | os.PathLike[str], *, admin_token: str | None = None) -> None:
        self.path = Path(path)
        self._admin_digest = _digest(admin_token) if admin_token else None
        self._ready = False

    # -- storage ---------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            if not self._ready:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                new = not self.path.exists()
                conn = sqlite3.connect(self.path, timeout=30)
                if new:
                    os.chmod(self.path, 0o600)
                with conn:
                    conn.executescript(_SCHEMA)
                self._ready = True
                return conn
            return sqlite3.connect(self.path, timeout=30)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the token database {self.path}: {exc}") from None

    # -- tokens ----------------------------------------------------------------------------------
    def create(self, name: str, role: str) -> IssuedToken:
        """A new token for ``name`` with ``role``; the returned token is the only copy."""
        check_name(name)
        if role not in ROLES:
            raise BadRequest(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        with closing(self._connect()) as conn:
            for _ in range(5):
                token_id = secrets.token_hex(4)
                token = f"{token_id}.{secrets.token_urlsafe(32)}"
                try:
                    with conn:
                        conn.execute(
                            "INSERT INTO tokens (token_id, name, role, sha256, created) "
                            "VALUES (?, ?, ?, ?, ?)", (token_id, name, role, _digest(token), now_utc()))
                except sqlite3.IntegrityError:
                    continue  # token id collision: draw again
                return IssuedToken(token_id, name, role, token)
        raise StoreError("could not draw a unique token id")  # pragma: no cover - 2**32 ids

    def revoke(self, name_or_id: str) -> int:
        """Revoke the token with this id, or every active token of this name; how many were revoked."""
        with closing(self._connect()) as conn, conn:
            cur = conn.execute(
                "UPDATE tokens SET revoked = ? WHERE revoked IS NULL AND (token_id = ? OR name = ?)",
                (now_utc(), name_or_id, name_or_id))
            count = cur.rowcount
        if count == 0:
            raise NotFound(f"no active token with id or name {name_or_id!r}")
        return count

    def list(self) -> list[TokenRecord]:
        with closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT token_id, name, role, created, revoked FROM tokens ORDER BY created, token_id")
            return [TokenRecord(*row) for row in rows]

    def authenticate(self, token: str | None) -> Principal | None:
        """The principal holding ``token``, or None for a missing, unknown or revoked token."""
        if not token:
            return None
        digest = _digest(token)
        if self._admin_digest is not None and hmac.compare_digest(digest, self._admin_digest):
            return Principal("admin", "admin")
        match = _TOKEN_PATTERN.match(token)
        if not match:
            return None
        with closing(self._connect()) as conn:
            row = conn.execute("SELECT name, role, sha256, revoked FROM tokens WHERE token_id = ?",
                               (match.group(1),)).fetchone()
        if row is None:
            hmac.compare_digest(digest, digest)  # the same work whether or not the id exists
            return None
        name, role, stored, revoked = row
        if not hmac.compare_digest(digest, stored) or revoked is not None:
            return None
        return Principal(name, role)

    # -- write log -------------------------------------------------------------------------------
    def log(self, who: Principal, action: str, target: str, detail: str | None = None) -> None:
        """Append one entry to the write log."""
        with closing(self._connect()) as conn, conn:
            conn.execute("INSERT INTO write_log (at, who, role, action, target, detail) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         (now_utc(), who.name, who.role, action, target, detail))

    def log_entries(self, *, limit: int | None = None) -> list[LogEntry]:
        query = "SELECT seq, at, who, role, action, target, detail FROM write_log ORDER BY seq"
        with closing(self._connect()) as conn:
            rows = conn.execute(query).fetchall()
        entries = [LogEntry(*row) for row in rows]
        return entries[-limit:] if limit else entries


def open_registry(settings: Settings) -> TokenRegistry:
    """The token registry the settings name (opened lazily: nothing is touched until first use)."""
    return TokenRegistry(settings.auth_db_path, admin_token=settings.admin_token)
