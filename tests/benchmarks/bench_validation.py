"""Benchmark: validate generated sentra CSV files against a store holding the real region list.

Run: ``python tests/benchmarks/bench_validation.py [ROWS ...]`` (default 10000 100000). Each size
runs in a fresh process so that its peak RSS is its own. Not collected by pytest.
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import time

BASE = "https://w3id.org/klaster/id/"
KBLI = ["15201", "15202", "15121", "15112", "13134", "16291", "31001", "10391"]


def generate_csv(rows: int, seed: int = 7) -> bytes:
    from kg.reference import read_regions

    rng = random.Random(seed)
    villages = [r.code for r in read_regions() if r.level in ("desa", "kelurahan", "kecamatan")]
    lines = ["id_sentra;nama;kode_wilayah;kbli;versi_kbli;produk;lintang;bujur;tahun_data;"
             "jumlah_unit;jumlah_tenaga_kerja;sumber;ilustratif"]
    for i in range(rows):
        lines.append(";".join([
            f"sentra-uji-{i}", f"Sentra uji {i}", rng.choice(villages), rng.choice(KBLI), "2020",
            "\"sandal;sepatu\"", f"-7,{rng.randint(1000, 9999)}", f"112,{rng.randint(1000, 9999)}",
            "2024", str(rng.randint(5, 400)), str(rng.randint(10, 2000)), "", "ya"]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def run_one(rows: int) -> None:
    from kg.reference import reference_quads
    from kg.store import EmbeddedStore
    from kg.validate import read_submission, validate_submission

    store = EmbeddedStore()
    store.add(reference_quads(BASE))
    data = generate_csv(rows)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    submission = read_submission(data, filename="bench.csv", base_iri=BASE)
    read_s = time.perf_counter() - started
    report = validate_submission(store, submission, base_iri=BASE)
    total_s = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"| {rows:,} | {len(data) / 1e6:.1f} MB | {len(submission.triples):,} | {read_s:.1f} s | "
          f"{total_s:.1f} s | {rss / 1024:.0f} MB | {rss_before / 1024:.0f} MB | "
          f"{report.conforms} {report.counts()} |", flush=True)


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--one":
        run_one(int(argv[1]))
        return
    sizes = [int(a) for a in argv] or [10_000, 100_000]
    print("| rows | CSV size | triples | read+map | read+map+validate | peak RSS | RSS before (store with "
          "reference data + CSV) | result |")
    print("|---|---|---|---|---|---|---|---|")
    for rows in sizes:
        subprocess.run([sys.executable, __file__, "--one", str(rows)], check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
