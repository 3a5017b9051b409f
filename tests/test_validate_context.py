"""Checks against the stored graph: replacing a submission, last year's counts, reused identifiers."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.validate import Submission, context_triples, read_submission, validate_submission
from validation_helpers import BASE, CORPUS, SAMPLE_GRAPH, corpus_store

STATS = "id_sentra,tahun,jumlah_unit,ilustratif\n"


@pytest.fixture(scope="module")
def store():
    return corpus_store()


def check(store, text: str, **kwargs):
    submission = read_submission(text.encode(), filename="x.csv", base_iri=BASE)
    return validate_submission(store, submission, base_iri=BASE, **kwargs)


def test_a_stored_identifier_is_allowed_when_its_graph_is_replaced(store):
    data = (CORPUS / "id-already-stored.csv").read_bytes()
    submission = read_submission(data, filename="a.csv", base_iri=BASE)
    assert not validate_submission(store, submission, base_iri=BASE).conforms
    report = validate_submission(store, submission, base_iri=BASE, replaces=SAMPLE_GRAPH)
    assert report.conforms, report.findings
    other = validate_submission(store, submission, base_iri=BASE, replaces=BASE + "graph/submission/9")
    assert SAMPLE_GRAPH in other.findings[0].message["en"]


def test_tenfold_jump_within_the_submission_and_against_the_store(store):
    report = check(store, STATS + "wedoro,2020,10,ya\nwedoro,2021,150,ya\nwedoro,2022,140,ya\n")
    assert [(f.row, f.severity) for f in report.findings] == [(3, "warning")]
    assert "10 → 150" in report.findings[0].message["en"]
    down = check(store, STATS + "tanggulangin,2024,4,ya\n")  # stored 2023: 40 units
    assert {f.constraint.rsplit("#")[-1] for f in down.findings} == {
        "SPARQLConstraintComponent", "MinInclusiveConstraintComponent"}
    assert down.conforms  # warnings only


def test_duplicate_rows_are_each_named(store):
    text = (STATS + "wedoro,2020,10,ya\n" * 3)
    report = check(store, text)
    rows = sorted(f.row for f in report.findings if f.column == "id_sentra")
    assert rows == [3, 4]
    assert "2, 3, 4" in report.findings[0].message["id"]


def test_context_is_only_what_the_submission_references(store):
    submission = read_submission((CORPUS / "good-sentra.csv").read_bytes(), filename="g.csv",
                                 base_iri=BASE)
    context = context_triples(store, submission, base_iri=BASE)
    subjects = {t.subject.value for t in context}
    assert BASE + "wilayah/35.15.18.2013" in subjects and BASE + "kbli/2020/15201" in subjects
    assert BASE + "wilayah/35.15.06" not in subjects  # not referenced
    assert len(context) < 40


def test_rdf_submission_has_no_rows(store):
    submission = read_submission((CORPUS / "region-unknown.jsonld").read_bytes(),
                                 media_type="application/ld+json", base_iri=BASE)
    assert isinstance(submission, Submission) and submission.kind is None and not submission.subjects
    finding, = validate_submission(store, submission, base_iri=BASE).findings
    assert finding.row is None and finding.focus == BASE + "sentra/wedoro-jsonld"
    assert finding.value == BASE + "wilayah/99.99"


def test_submission_records_checksum_and_template_version(store):
    data = (CORPUS / "good-sentra.csv").read_bytes()
    submission = read_submission(data, filename="g.csv", base_iri=BASE)
    import hashlib

    assert submission.checksum == hashlib.sha256(data).hexdigest()
    assert submission.template_version == "1" and submission.media_type == "text/csv"
    assert all(isinstance(t, ox.Triple) for t in submission.triples)
    assert submission.subjects[BASE + "sentra/selosari-kulit"] == 3
