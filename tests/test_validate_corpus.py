"""The submission corpus: every file with its expected findings (tests/submissions/*.expected.json)."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

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


def test_a_large_data_graph_is_checked_on_disk_with_the_same_findings(store, monkeypatch, tmp_path):
    # above kg.validate.ON_DISK_ABOVE triples the checks run in a temporary store on disk (memory
    # bounded at 100,000 rows); the findings must be the ones the in-memory store gives, and the
    # temporary store must be gone afterwards
    import kg.validate as validate

    def findings(report):
        return sorted((f.severity, f.row, f.column, f.constraint, f.value) for f in report.findings)

    cases = [p for p in CASES if p.suffix == ".csv" and "error" not in json.loads(
        (CORPUS / (p.name + ".expected.json")).read_text(encoding="utf-8"))]
    submissions = [read_submission(p.read_bytes(), filename=p.name, base_iri=BASE) for p in cases]
    in_memory = [findings(validate_submission(store, s, base_iri=BASE)) for s in submissions]
    assert any(in_memory), "the corpus has CSV files with findings"
    monkeypatch.setattr(validate, "ON_DISK_ABOVE", 0)
    made = []
    real = tempfile.TemporaryDirectory

    def recorded(**kwargs):  # the real temporary directory, under tmp_path, remembered
        folder = real(dir=tmp_path, **kwargs)
        made.append(Path(folder.name))
        return folder
    monkeypatch.setattr(validate.tempfile, "TemporaryDirectory", recorded)
    on_disk = [findings(validate_submission(store, s, base_iri=BASE)) for s in submissions]
    assert on_disk == in_memory
    assert len(made) == len(submissions)
    assert not any(folder.exists() for folder in made)
