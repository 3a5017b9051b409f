"""The one settings registry: name, environment variable, default and help.

The README's configuration table is checked against :data:`SETTINGS` by a test, and the CLI builds
its options from it, so a setting exists in exactly one place.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from kg.errors import BadRequest


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: object
    help: str
    kind: type = str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("store", "KLASTER_STORE", "./klaster-data",
            "a directory path → embedded store (created and seeded with the ontology, reference data "
            "and sample data when new); an `http(s)://…` SPARQL endpoint URL → remote store"),
    Setting("update_endpoint", "KLASTER_UPDATE_ENDPOINT", None,
            "update endpoint of a remote store, when it differs from the query endpoint"),
    Setting("store_user", "KLASTER_STORE_USER", None, "user name for a remote store"),
    Setting("store_password", "KLASTER_STORE_PASSWORD", None, "password for a remote store",
            secret=True),
    Setting("base_iri", "KLASTER_BASE_IRI", "https://w3id.org/klaster/id/",
            "base of the IRIs minted for instance data"),
    Setting("admin_token", "KLASTER_ADMIN_TOKEN", None,
            "bearer token with the admin role (updates, Graph Store writes, any submission); "
            "none: writes refused", secret=True),
    Setting("query_timeout", "KLASTER_QUERY_TIMEOUT", 30.0,
            "seconds after which a query is cancelled and answered with an error", kind=float),
    Setting("max_rows", "KLASTER_MAX_ROWS", 100_000,
            "most result rows a SPARQL query or question returns; the response says when it was cut",
            kind=int),
    Setting("max_body", "KLASTER_MAX_BODY", 64 * 1024 * 1024,
            "largest accepted request body in bytes; larger bodies get 413", kind=int),
    Setting("auth_db", "KLASTER_AUTH_DB", None,
            "SQLite file with the hashed steward/admin tokens and the write log; default: "
            "`<store>.auth.sqlite` beside an embedded store, `./klaster-auth.sqlite` for a remote one"),
    Setting("threads", "KLASTER_THREADS", 16, "worker threads of the WSGI server", kind=int),
    Setting("query_workers", "KLASTER_QUERY_WORKERS", 2,
            "SPARQL queries evaluated at once, each in its own worker process that is killed on "
            "timeout; one more worker serves the questions and pages", kind=int),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    store: str = "./klaster-data"
    update_endpoint: str | None = None
    store_user: str | None = None
    store_password: str | None = field(default=None, repr=False)
    base_iri: str = "https://w3id.org/klaster/id/"
    admin_token: str | None = field(default=None, repr=False)
    query_timeout: float = 30.0
    max_rows: int = 100_000
    max_body: int = 64 * 1024 * 1024
    auth_db: str | None = None
    threads: int = 8
    query_workers: int = 2

    @property
    def is_remote(self) -> bool:
        return self.store.startswith(("http://", "https://"))

    @property
    def auth_db_path(self) -> str:
        if self.auth_db:
            return self.auth_db
        if self.is_remote:
            return "./klaster-auth.sqlite"
        return self.store.rstrip("/\\") + ".auth.sqlite"

    def replace(self, **changes: object) -> "Settings":
        return dataclasses.replace(self, **changes)


def _convert(setting: Setting, raw: object) -> object:
    if raw is None or raw == "":
        return setting.default
    if setting.kind is str:
        return str(raw)
    try:
        value = setting.kind(raw)
    except (TypeError, ValueError):
        raise BadRequest(f"{setting.env} must be a {setting.kind.__name__}, got {raw!r}") from None
    if isinstance(value, (int, float)) and value <= 0:
        raise BadRequest(f"{setting.env} must be positive, got {raw!r}")
    return value


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (CLI options) winning."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for setting in SETTINGS:
        raw = overrides.get(setting.name)
        if raw is None:
            raw = environ.get(setting.env)
        values[setting.name] = _convert(setting, raw)
    unknown = set(overrides) - set(_BY_NAME)
    if unknown:
        raise BadRequest(f"unknown setting(s): {', '.join(sorted(unknown))}")
    base = str(values["base_iri"])
    if not base.startswith(("http://", "https://")) or not base.endswith(("/", "#")):
        raise BadRequest(f"KLASTER_BASE_IRI must be an http(s) IRI ending in '/' or '#', got {base!r}")
    return Settings(**values)  # type: ignore[arg-type]
