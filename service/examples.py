"""Example queries for the query page, read from ``queries/*.rq`` at request time.

Each file may start with a grlc-style ``#+`` YAML header (``#+ summary: …``). The page only needs
the name, the summary and the text, so a header this module cannot read costs the example its
summary, not the page (the canned-question loader is where malformed headers fail loudly).
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from kg.errors import NotFound
from kg.resources import data_folder


@dataclass(frozen=True)
class Example:
    name: str
    summary: str
    query: str


def _summary(text: str, default: str) -> str:
    header = "\n".join(line[2:] for line in text.splitlines() if line.startswith("#+"))
    if not header.strip():
        return default
    try:
        meta = yaml.safe_load(header)
    except yaml.YAMLError:
        return default
    if isinstance(meta, dict) and meta.get("summary"):
        return str(meta["summary"]).strip()
    return default


def load_examples() -> list[Example]:
    try:
        folder = data_folder("queries")
    except NotFound:
        return []
    examples = []
    for path in sorted(folder.glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        examples.append(Example(path.stem, _summary(text, path.stem), text))
    return examples
