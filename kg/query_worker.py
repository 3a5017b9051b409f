"""The query worker process: ``python -m kg.query_worker FD``.

It reads ``(snapshot_path, QueryRequest)`` messages from the connection on file descriptor ``FD``,
opens that read-only checkpoint when it differs from the one it has open, evaluates the query and
sends back ``("ok", QueryOutcome)`` or ``("error", error_class_name, detail)``. ``None`` ends it.
The parent (:class:`kg.executor.ProcessExecutor`) kills it when a query runs too long.
"""

from __future__ import annotations

import sys
from multiprocessing.connection import Connection


def serve(conn: Connection) -> None:
    import pyoxigraph as ox

    from kg.errors import KlasterError
    from kg.executor import evaluate

    opened: str | None = None
    store: ox.Store | None = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if message is None:
            return
        path, request = message
        try:
            if path != opened:
                store = None
                store = ox.Store.read_only(path)
                opened = path
            assert store is not None
            reply = ("ok", evaluate(store, request))
        except KlasterError as exc:
            reply = ("error", type(exc).__name__, exc.detail)
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which logs it
            reply = ("error", "StoreError", f"query failed: {type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (OSError, BrokenPipeError):
            return


def main(argv: list[str]) -> int:
    serve(Connection(int(argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
