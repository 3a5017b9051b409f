"""Klaster's web service: a Flask app factory over the :mod:`kg` library.

Nothing happens at import time. :func:`create_app` opens (and seeds, when new) the store, puts the
query executor in front of it and keeps both on the app as ``app.extensions["klaster"]``
(a :class:`ServiceState`). Blueprints are grouped by who uses them: public reads
(:mod:`service.sparql`, :mod:`service.graph_store`, the canned questions in :mod:`service.api`),
stewards (:mod:`service.stewards`: validation and templates; :mod:`service.submissions`),
admin writes (:mod:`service.admin`) and meta endpoints (:mod:`service.meta`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from kg.executor import Executor, GuardedStore, make_executor
from kg.settings import Settings, load_settings
from kg.store import Store


@dataclass
class ServiceState:
    """What the app holds: settings, the (guarded) store, its executor, the token checkers."""

    settings: Settings
    store: GuardedStore
    executor: Executor
    authenticators: list = field(default_factory=list)
    owns_store: bool = False
    auth: Any = None  # the steward/admin token registry, when the stewards blueprint is installed

    def close(self) -> None:
        self.executor.close()
        if self.owns_store:
            self.store.inner.close()


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> Flask:
    """Build the app. Without ``store``, open ``settings.store`` (created and seeded when new)."""
    from kg.auth import open_registry
    from service import admin, api, errors, graph_store, meta, sparql, stewards, submissions
    from service.auth import admin_authenticator

    settings = settings or load_settings()
    owns_store = store is None
    if store is None:
        import logging

        from kg.seed import ensure_store
        store = ensure_store(settings, say=logging.getLogger("klaster.seed").info)
    executor = make_executor(store, settings)
    registry = open_registry(settings)
    state = ServiceState(settings, GuardedStore(store, executor), executor,
                         [admin_authenticator(settings.admin_token), registry.authenticate],
                         owns_store, registry)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["klaster"] = state
    errors.register(app)
    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(graph_store.blueprint)
    app.register_blueprint(admin.blueprint)
    app.register_blueprint(meta.blueprint)
    app.register_blueprint(api.bp)
    app.register_blueprint(stewards.bp)
    app.register_blueprint(submissions.bp)
    from service.web import bp as web_bp; app.register_blueprint(web_bp)  # noqa: E702  pages for people
    from service.linked_data import bp as linked_data_bp
    app.register_blueprint(linked_data_bp)
    return app


def state_of(app: Flask) -> ServiceState:
    return app.extensions["klaster"]
