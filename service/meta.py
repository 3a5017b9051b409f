"""Meta endpoints: ``GET /health``."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from kg import __version__
from kg.executor import QueryRequest

blueprint = Blueprint("meta", __name__)


@blueprint.route("/health")
def health() -> Response:
    """200 once the store answers a query (through the same executor as every query)."""
    state = current_app.extensions["klaster"]
    state.store.execute(QueryRequest("ASK {}"))  # raises 503 problem+json when it cannot
    return jsonify({
        "status": "ok",
        "version": __version__,
        "store": "remote" if state.settings.is_remote else "embedded",
        "graphs": len(state.store.graphs()),
        "query_workers": len(state.executor.worker_pids()),
        "query_timeout": state.settings.query_timeout,
    })
