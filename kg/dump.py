"""Streamed, gzip-compressed dumps: the whole dataset as N-Quads, one graph as N-Triples.

:func:`gzip_dump` is a generator: it reads the store's quads in batches, serialises each batch and
feeds it to an incremental gzip compressor, yielding compressed bytes as they come. Nothing holds
the whole dataset — neither the quads nor the text nor the compressed file.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterator

import pyoxigraph as ox

from kg.errors import NotFound
from kg.store import Store

#: Quads serialised (and compressed) at a time.
BATCH = 20_000
#: Compressed bytes collected before a chunk is yielded.
CHUNK = 256 * 1024

DATASET_FILE = "klaster.nq.gz"
GRAPH_FILE = "graph.nt.gz"


def gzip_dump(store: Store, graph: str | None = None, *, level: int = 6) -> Iterator[bytes]:
    """gzip-compressed N-Quads of every graph (``graph`` None) or N-Triples of one named graph."""
    if graph is not None and graph not in store.graphs():
        raise NotFound(f"no graph <{graph}> in this store")
    quads = store.quads(all_graphs=True) if graph is None else store.quads(graph)
    return _compress(_serialised(quads, triples=graph is not None), level)


def _serialised(quads: Iterator[ox.Quad], *, triples: bool) -> Iterator[bytes]:
    while True:
        batch = list(itertools.islice(quads, BATCH))
        if not batch:
            return
        if triples:
            body = ox.serialize((q.triple for q in batch), format=ox.RdfFormat.N_TRIPLES)
        else:
            body = ox.serialize(batch, format=ox.RdfFormat.N_QUADS)
        if body:
            yield body


def _compress(parts: Iterator[bytes], level: int) -> Iterator[bytes]:
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)  # wbits 31: a gzip member
    pending: list[bytes] = []
    size = 0
    for part in parts:
        out = compressor.compress(part)
        if out:
            pending.append(out)
            size += len(out)
        if size >= CHUNK:
            yield b"".join(pending)
            pending, size = [], 0
    pending.append(compressor.flush())
    yield b"".join(pending)
