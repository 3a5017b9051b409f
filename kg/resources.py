"""One resolver for the data folders, from a checkout or from an installed package.

``ontology/``, ``shapes/`` and ``queries/`` sit at the top of the source tree and are installed under
``{prefix}/share/klaster/``; the reference and sample data ship inside the ``kg`` package.
"""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

from kg.errors import NotFound

DATA_FOLDERS = ("ontology", "shapes", "queries")

_PACKAGE_DIR = Path(__file__).resolve().parent


def _candidates(folder: str) -> list[Path]:
    roots = [_PACKAGE_DIR.parent]  # a checkout or an editable install
    for prefix in {sysconfig.get_path("data"), sys.prefix, sys.base_prefix}:
        roots.append(Path(prefix) / "share" / "klaster")
    return [root / folder for root in roots]


def data_folder(folder: str) -> Path:
    """The directory holding ``folder`` (one of :data:`DATA_FOLDERS`)."""
    if folder not in DATA_FOLDERS:
        raise ValueError(f"unknown data folder {folder!r}")
    for path in _candidates(folder):
        if path.is_dir() and any(path.iterdir()):
            return path
    raise NotFound(f"data folder {folder!r} is not installed (looked in "
                   f"{', '.join(str(p) for p in _candidates(folder))})")


def data_file(folder: str, name: str) -> Path:
    path = data_folder(folder) / name
    if not path.is_file():
        raise NotFound(f"{folder}/{name} not found")
    return path


def package_data(*parts: str) -> Path:
    """A file shipped inside the ``kg`` package, e.g. ``package_data('reference', 'wilayah.csv')``."""
    path = _PACKAGE_DIR.joinpath("data", *parts)
    if not path.exists():
        raise NotFound(f"bundled data {'/'.join(parts)} not found")
    return path
