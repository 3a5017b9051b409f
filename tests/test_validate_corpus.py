"""The submission corpus: every file with its expected findings (tests/submissions/*.expected.json)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from kg.errors import BadRequest
from kg.validate import read_submission, validate_submission
from validation_helpers import BASE, CORPUS, corpus_store

CASES = sorted(p for p in CORPUS.iterdir() if (CORPUS / (p.name + ".expected.json")).exists())


@pytest.fixture(scope="module")
def store():
    return corpus_store()


def test_the_corpus_covers_every_kind_of_case():
    names = {p.name for p in CASES}
    assert len(CASES) >= 45
    for required in ("empty.csv", "truncated.xlsx", "truncated.csv", "not-a-spreadsheet.csv",
                     "good-semicolon-cp1252.csv", "good-utf8-bom.csv", "good-sentra.xlsx"):
        assert required in names


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_corpus_file(store, path):
    expected = json.loads((CORPUS / (path.name + ".expected.json")).read_text(encoding="utf-8"))
    data = path.read_bytes()
    if "error" in expected:
        with pytest.raises(BadRequest) as caught:
            read_submission(data, filename=path.name, base_iri=BASE)
        assert expected["error"] in caught.value.detail
        assert "\n" not in caught.value.detail  # one clear line, not a report
        return
    submission = read_submission(data, filename=path.name, base_iri=BASE)
    assert submission.kind == expected["kind"]
    report = validate_submission(store, submission, base_iri=BASE)
    got = Counter((f.severity, f.row, f.column, f.constraint.rsplit("#", 1)[-1] if f.constraint else None)
                  for f in report.findings)
    want = Counter((f["severity"], f["row"], f["column"], f["constraint"]) for f in expected["findings"])
    assert got == want, [f"{f.row} {f.column} {f.value}: {f.message['en']}" for f in report.findings]
    assert report.conforms is expected["conforms"]
    for finding in report.findings:
        assert finding.message["id"] and finding.message["en"]
        assert "{?" not in finding.message["id"] + finding.message["en"]
