"""``klaster synth``: write a deterministic, national-scale SYNTHETIC dataset (gzip N-Quads)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.errors import BadRequest
from kg.settings import load_settings


def _positive(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth", help="generate a national-scale SYNTHETIC dataset (gzip N-Quads) for benchmarks",
        description="Write a deterministic synthetic dataset on top of the real region list: sentra "
        "in real desa/kelurahan, enterprises, technologies, skills, financing, supply relations, "
        "linkages, interventions and five years of unit counts, all in the graph "
        "{base}graph/synthetic and marked kl:isIllustrative true. Load it with 'klaster load FILE'. "
        "The same seed and sizes give the same bytes.")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="output file (gzip-compressed N-Quads, e.g. synthetic.nq.gz)")
    parser.add_argument("--sentra", type=_positive, default=100_000, help="number of sentra (default 100000)")
    parser.add_argument("--enterprises", type=_positive, default=1_000_000,
                        help="number of enterprises (default 1000000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kg.synth import SynthConfig, generate

    if not args.out.name.endswith(".nq.gz"):
        raise BadRequest(f"--out must name a .nq.gz file, not {args.out.name!r}")
    if not args.out.parent.is_dir():
        raise BadRequest(f"no such directory: {args.out.parent}")
    settings = load_settings()
    config = SynthConfig(sentra=args.sentra, enterprises=args.enterprises, seed=args.seed,
                         base_iri=settings.base_iri)
    summary = generate(args.out, config, say=lambda text: print(f"klaster: {text}", file=sys.stderr))
    print(f"wrote {summary.triples:,} triples to {args.out} ({summary.sentra:,} sentra, "
          f"{summary.enterprises:,} enterprises, {summary.observations:,} observations, "
          f"{summary.linkages:,} linkages, {summary.interventions:,} interventions) "
          f"in {summary.seconds:.1f} s")
    return 0
