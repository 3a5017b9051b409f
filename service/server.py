"""Run the app under waitress, a production WSGI server (never Flask's development server)."""

from __future__ import annotations

import logging

from kg.settings import Settings

#: Largest request head (request line and headers) waitress accepts; more gets 431.
MAX_HEADER_BYTES = 64 * 1024


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Open (creating and seeding when new) the store and serve until interrupted."""
    import waitress

    from service import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    state = app.extensions["klaster"]
    logging.getLogger("klaster.service").info(
        "serving %s on http://%s:%d/sparql (%d threads, %d query workers, timeout %g s)",
        settings.store, host, port, settings.threads, len(state.executor.worker_pids()),
        settings.query_timeout)
    try:
        waitress.serve(app, host=host, port=port, threads=settings.threads,
                       max_request_body_size=settings.max_body + 1024,
                       max_request_header_size=MAX_HEADER_BYTES, ident="klaster")
    finally:
        state.close()
