"""The steps of ``klaster load`` one at a time, so that each is timed (and its peak RSS is its own).

    python tests/benchmarks/load_steps.py load STORE FILE        # EmbeddedStore.load, as klaster load does
    python tests/benchmarks/load_steps.py materialise STORE      # kg.derive.recompute (inferences, then
                                                                 # aggregates), as klaster load does
    python tests/benchmarks/load_steps.py incremental STORE FILE [CHUNK]
                                                                 # kg.reason.infer_delta over FILE in chunks

``incremental`` is the fallback when ``materialise`` cannot run in memory at national scale: the
inferences each chunk of FILE adds (the submissions' path, which reads one hop of stored context),
written into the inferred graph chunk by chunk. Chunks end on a subject boundary. Prints one JSON
line with the figures.
"""

from __future__ import annotations

import gzip
import json
import resource
import sys
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout's kg, installed or not


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _chunks(path: Path, size: int):
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        chunk: list[ox.Triple] = []
        last = None
        for quad in ox.parse(handle, format=ox.RdfFormat.N_QUADS):
            if len(chunk) >= size and quad.subject != last:
                yield chunk
                chunk = []
            chunk.append(quad.triple)
            last = quad.subject
        if chunk:
            yield chunk


def main(argv: list[str]) -> None:
    from kg.namespaces import GRAPH_INFERRED, graph_iri
    from kg.derive import recompute
    from kg.reason import infer_delta
    from kg.settings import Settings
    from kg.store import EmbeddedStore, rdf_format

    step, store_dir = argv[0], argv[1]
    settings = Settings(store=store_dir)
    store = EmbeddedStore(store_dir)
    started = time.perf_counter()
    out: dict[str, object] = {"step": step}
    if step == "load":
        path = Path(argv[2])
        before = store.count(all_graphs=True)
        store.load(path, format=rdf_format(path))
        out["quads"] = store.count(all_graphs=True) - before
    elif step == "materialise":
        derived = recompute(store, settings)
        summary = derived.reasoning
        out.update(inferred=summary.inferred_triples, added=summary.added, removed=summary.removed,
                   inference_seconds=summary.seconds, aggregate_figures=derived.aggregates.figures,
                   aggregates_seconds=derived.aggregates.seconds)
    elif step == "incremental":
        path, size = Path(argv[2]), int(argv[3]) if len(argv) > 3 else 200_000
        target = ox.NamedNode(graph_iri(settings.base_iri, GRAPH_INFERRED))
        added = chunks = 0
        for chunk in _chunks(path, size):
            new = infer_delta(store, settings, chunk)
            store.add(ox.Quad(t.subject, t.predicate, t.object, target) for t in new)
            added += len(new)
            chunks += 1
            print(f"chunk {chunks}: +{len(new):,} inferred ({added:,} in all, "
                  f"{time.perf_counter() - started:.0f} s, peak {_peak_mb():,.0f} MB)", file=sys.stderr, flush=True)
        out.update(added=added, chunks=chunks, chunk_size=size)
    else:
        raise SystemExit(f"unknown step {step}")
    out["seconds"] = time.perf_counter() - started
    store.close()
    out["peak_rss_mb"] = _peak_mb()
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
