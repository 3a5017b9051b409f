"""Stream what a serialiser writes to a file-like object as an HTTP response body.

pyoxigraph serialisers write to a binary file object; here that object is a bounded queue read by
the response generator, so a large graph is sent while it is being serialised and never held in
memory whole. When the client goes away, the next write stops the serialiser.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from typing import IO

log = logging.getLogger("klaster.service")

_DONE = object()


class _Cancelled(Exception):
    pass


class _QueueWriter:
    def __init__(self, chunks: queue.Queue, cancelled: threading.Event) -> None:
        self._chunks = chunks
        self._cancelled = cancelled

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        while True:
            if self._cancelled.is_set():
                raise _Cancelled()
            try:
                self._chunks.put(chunk, timeout=0.5)
                return len(chunk)
            except queue.Full:
                continue

    def flush(self) -> None:
        pass


def stream(write: Callable[[IO[bytes]], None], *, buffered: int = 64) -> Iterator[bytes]:
    """Run ``write(file)`` in a thread and yield the bytes it writes, as it writes them."""
    chunks: queue.Queue = queue.Queue(maxsize=buffered)
    cancelled = threading.Event()

    def produce() -> None:
        try:
            write(_QueueWriter(chunks, cancelled))  # type: ignore[arg-type]
        except _Cancelled:
            return
        except Exception:  # noqa: BLE001 - the status line is already sent; log and end the body
            if not cancelled.is_set():
                log.exception("streaming a response failed")
        finally:
            while not cancelled.is_set():
                try:
                    chunks.put(_DONE, timeout=0.5)
                    break
                except queue.Full:
                    continue

    worker = threading.Thread(target=produce, daemon=True, name="klaster-stream")
    worker.start()
    try:
        while True:
            item = chunks.get()
            if item is _DONE:
                return
            yield item
    finally:
        cancelled.set()
