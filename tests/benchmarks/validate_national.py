"""Validate (or submit: validate and ingest) a generated sentra CSV against a national store.

    python tests/benchmarks/validate_national.py validate|ingest ROWS STORE_DIR

Prints one JSON line: rows, CSV bytes, triples, seconds, peak RSS of this process, the outcome.
``ingest`` works on a hard-linked backup of the store (made here, removed afterwards), so the
national store itself is never changed. The CSV comes from bench_validation.generate_csv.
"""

from __future__ import annotations

import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_validation import generate_csv  # noqa: E402

BASE = "https://w3id.org/klaster/id/"


def main(argv: list[str]) -> None:
    mode, rows, store_dir = argv[0], int(argv[1]), Path(argv[2])
    from kg.auth import Principal
    from kg.settings import Settings
    from kg.store import EmbeddedStore
    from kg.submissions import submit
    from kg.validate import read_submission, validate_submission

    data = generate_csv(rows)
    out: dict[str, object] = {"mode": mode, "rows": rows, "csv_bytes": len(data)}
    if mode == "validate":
        store = EmbeddedStore(store_dir, read_only=True)
        started = time.perf_counter()
        submission = read_submission(data, filename="bench.csv", base_iri=BASE)
        report = validate_submission(store, submission, base_iri=BASE)
        out.update(seconds=time.perf_counter() - started, triples=len(submission.triples),
                   conforms=report.conforms, counts=report.counts())
        store.close()
    else:
        work = Path(tempfile.mkdtemp(prefix="klaster-ingest-", dir=store_dir.parent))
        try:
            source = EmbeddedStore(store_dir, read_only=True)
            source.backup(work / "store")
            source.close()
            store = EmbeddedStore(work / "store")
            settings = Settings(store=str(work / "store"))
            started = time.perf_counter()
            outcome = submit(store, settings, data, principal=Principal("benchmark", "steward"),
                             filename="bench.csv")
            out.update(seconds=time.perf_counter() - started, accepted=outcome.accepted,
                       counts=outcome.report.counts())
            store.close()
        finally:
            shutil.rmtree(work, ignore_errors=True)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
