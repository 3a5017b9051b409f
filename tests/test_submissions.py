"""Submissions: atomic ingest with provenance, rejection leaves nothing, replace, withdraw, CLI."""

from __future__ import annotations

import argparse
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.auth import Principal, TokenRegistry
from kg.errors import BadRequest, Conflict, Forbidden, StoreError
from kg.namespaces import graph_iri
from kg.reason import materialise
from kg.resources import data_file
from kg.settings import load_settings
from kg.store import EmbeddedStore, Store
from kg import submissions as subs

BASE = "https://w3id.org/klaster/id/"
SETTINGS = load_settings({})
A = Principal("dinas-sidoarjo", "steward")
B = Principal("dinas-jombang", "steward")
ADMIN = Principal("admin", "admin")

#: The smallest reference context a sentra submission needs: the village it is in and its parents.
CONTEXT = """
@prefix kl: <https://w3id.org/klaster/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<wilayah/35> a kl:Province ; rdfs:label "Jawa Timur"@id ; skos:notation "35" ; kl:kemendagriCode "35" .
<wilayah/35.15> a kl:Regency ; rdfs:label "Sidoarjo"@id ; skos:notation "35.15" ; kl:kemendagriCode "35.15" ;
    kl:parentRegion <wilayah/35> .
<wilayah/35.15.18> a kl:District ; rdfs:label "Waru"@id ; skos:notation "35.15.18" ;
    kl:kemendagriCode "35.15.18" ; kl:parentRegion <wilayah/35.15> .
<wilayah/35.15.18.2013> a kl:Village ; rdfs:label "Wedoro"@id ; skos:notation "35.15.18.2013" ;
    kl:kemendagriCode "35.15.18.2013" ; kl:parentRegion <wilayah/35.15.18> .
<kbli/2020/15201> a kl:IndustryClass ; rdfs:label "Industri alas kaki"@id ; skos:notation "15201" .
"""


def sentra_turtle(slug: str = "alas-kaki-wedoro", label: str = "Sentra Alas Kaki Wedoro",
                  *, good: bool = True) -> bytes:
    """A sentra submission in Turtle (relative IRIs, resolved against the base)."""
    label_line = f'    rdfs:label "{label}"@id ;\n' if good else ""
    return (f"""@prefix kl: <https://w3id.org/klaster/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<sentra/{slug}> a kl:Sentra ;
{label_line}    dcterms:identifier "{slug}" ;
    kl:locatedIn <wilayah/35.15.18.2013> ;
    kl:industryCode <kbli/2020/15201> ;
    kl:isIllustrative true .
""").encode()


def seed_context(store: Store) -> None:
    store.load(data_file("ontology", "klaster.ttl"), format=ox.RdfFormat.TURTLE,
               graph=graph_iri(BASE, "ontology"))
    store.load(CONTEXT.encode(), format=ox.RdfFormat.TURTLE, graph=graph_iri(BASE, "reference"),
               base_iri=BASE)
    materialise(store, SETTINGS)  # as seeding does: region containment is closed


@pytest.fixture
def store() -> Store:
    store = EmbeddedStore()
    seed_context(store)
    return store


def snapshot(store: Store) -> list[str]:
    """The whole dataset as sorted N-Quads lines (no blank nodes in these tests)."""
    body = ox.serialize(store.quads(all_graphs=True), format=ox.RdfFormat.N_QUADS)
    return sorted(body.decode().splitlines())


def ask(store: Store, sparql: str) -> bool:
    return bool(store.query("PREFIX kl: <https://w3id.org/klaster/ontology#>\n"
                            "PREFIX prov: <http://www.w3.org/ns/prov#>\n" + sparql))


def test_good_submission_is_stored_with_provenance_and_queryable(store: Store) -> None:
    outcome = subs.submit(store, SETTINGS, sentra_turtle(), principal=A, filename="wedoro.ttl",
                          media_type="text/turtle", kind="sentra")
    assert outcome.accepted and outcome.report.conforms
    record = outcome.record
    assert subs.ID_PATTERN.match(record.id)
    assert record.graph == f"{BASE}graph/submission/{record.id}"
    assert record.status == "active" and record.steward == A.name
    assert record.title == "wedoro.ttl" and record.kind == "sentra" and record.records == 1
    assert len(record.checksum) == 64 and record.triples == store.count(record.graph) > 0
    assert store.count(subs.submissions_graph(BASE)) > 0
    sentra = f"<{BASE}sentra/alas-kaki-wedoro>"
    assert ask(store, f"ASK {{ GRAPH <{record.graph}> {{ {sentra} a kl:Sentra }} }}")
    assert ask(store, f"""ASK {{ <{record.iri}> a prov:Entity ;
        prov:wasAttributedTo <{BASE}steward/{A.name}> ; prov:generatedAtTime ?t ;
        kl:submissionStatus kl:SubmissionActive .
        <{BASE}steward/{A.name}> a prov:Agent . }}""")
    # its inferences were stored with it, in a graph of their own: the sentra is now within
    # the regency and the province
    inferred = record.graph.replace("/graph/submission/", "/graph/inferred/submission/")
    assert ask(store, f"ASK {{ GRAPH <{inferred}> {{ {sentra} kl:within <{BASE}wilayah/35> }} }}")
    assert subs.list_submissions(store, base_iri=BASE) == [record]
    assert subs.get_submission(store, record.id, base_iri=BASE) == record


CSV_HEADER = "id_sentra;nama;kode_wilayah;kbli;jumlah_unit;tahun_data;ilustratif\r\n"
CSV_WARNING_ROW = "wedoro;Sentra Sandal Wedoro;35.15.18.2013;15201;3;2024;ya\r\n"
CSV_BAD_ROW = "tidak-ada;Sentra X;99.99;15201;;;ya\r\n"


def test_csv_with_warnings_is_stored_with_template_version_and_counts(store: Store) -> None:
    data = (CSV_HEADER + CSV_WARNING_ROW).encode("utf-8-sig")
    outcome = subs.submit(store, SETTINGS, data, principal=A, filename="sentra.csv")
    assert outcome.accepted and outcome.report.counts()["warning"] == 1
    record = outcome.record
    assert (record.kind, record.template_version, record.media_type) == ("sentra", "1", "text/csv")
    assert record.records == 2 and record.warnings == 1  # the sentra and its unit-count observation
    assert ask(store, f"ASK {{ <{record.iri}> kl:templateVersion \"1\" ; kl:warningCount 1 ; "
                      f"<http://spdx.org/rdf/terms#checksum>/<http://spdx.org/rdf/terms#checksumValue> ?c }}")


def test_rejected_submission_leaves_the_store_exactly_as_it_was(store: Store) -> None:
    before, count = snapshot(store), store.count(all_graphs=True)
    outcome = subs.submit(store, SETTINGS, sentra_turtle(good=False), principal=A,
                          filename="bad.ttl", media_type="text/turtle", kind="sentra")
    assert not outcome.accepted and outcome.record is None
    assert outcome.report.findings and not outcome.report.conforms
    assert store.count(all_graphs=True) == count
    assert snapshot(store) == before
    csv = subs.submit(store, SETTINGS, (CSV_HEADER + CSV_WARNING_ROW + CSV_BAD_ROW).encode(),
                      principal=A, filename="sentra.csv")
    assert not csv.accepted
    assert [(f.row, f.column) for f in csv.report.findings if f.severity == "violation"] == [
        (3, "kode_wilayah")]
    assert store.count(all_graphs=True) == count
    assert snapshot(store) == before


def test_unreadable_submission_raises_bad_request_and_stores_nothing(store: Store) -> None:
    before = snapshot(store)
    with pytest.raises(BadRequest):
        subs.submit(store, SETTINGS, b"<not turtle", principal=A, filename="x.ttl",
                    media_type="text/turtle")
    assert snapshot(store) == before


def test_failure_mid_ingest_leaves_nothing(store: Store) -> None:
    """The replacement's update inserts the new data and record first and drops the old graph
    last; when that last operation fails (the old graph vanished, as with a concurrent
    withdrawal), the whole transaction is rolled back."""
    first = subs.submit(store, SETTINGS, sentra_turtle(), principal=A, filename="a.ttl",
                        media_type="text/turtle").record
    store.drop_graph(first.graph)  # out of band: the record still says active
    before = snapshot(store)
    with pytest.raises(StoreError, match="nothing was written"):
        subs.submit(store, SETTINGS, sentra_turtle("alas-kaki-baru", "Sentra Baru"), principal=A,
                    filename="b.ttl", media_type="text/turtle", replaces=first.id)
    assert snapshot(store) == before
    assert [r.id for r in subs.list_submissions(store, base_iri=BASE)] == [first.id]


def test_read_only_store_refuses_and_keeps_its_content(tmp_path: Path) -> None:
    writable = EmbeddedStore(tmp_path / "store")
    seed_context(writable)
    before = snapshot(writable)
    writable.close()
    store = EmbeddedStore(tmp_path / "store", read_only=True)
    with pytest.raises(StoreError):
        subs.submit(store, SETTINGS, sentra_turtle(), principal=A, filename="a.ttl",
                    media_type="text/turtle")
    assert snapshot(store) == before
    del store  # EmbeddedStore.close() flushes, which a read-only pyoxigraph store refuses


def test_replace_keeps_history(store: Store) -> None:
    first = subs.submit(store, SETTINGS, sentra_turtle(), principal=A, filename="v1.ttl",
                        media_type="text/turtle").record
    with pytest.raises(Forbidden):
        subs.submit(store, SETTINGS, sentra_turtle(label="Lain"), principal=B, filename="v2.ttl",
                    media_type="text/turtle", replaces=first.id)
    second = subs.submit(store, SETTINGS, sentra_turtle(label="Sentra Sepatu Wedoro"), principal=A,
                         filename="v2.ttl", media_type="text/turtle", replaces=first.id).record
    assert second.replaces == first.id and second.status == "active"
    old = subs.get_submission(store, first.id, base_iri=BASE)
    assert old.status == "replaced" and old.invalidated and old.replaced_by == second.id
    assert first.graph not in store.graphs() and second.graph in store.graphs()
    labels = [s["l"].value for s in store.query(
        f"SELECT ?l WHERE {{ <{BASE}sentra/alas-kaki-wedoro> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}")]
    assert labels == ["Sentra Sepatu Wedoro"]
    assert ask(store, f"ASK {{ <{second.iri}> prov:wasRevisionOf <{first.iri}> . "
                      f"<{first.iri}> prov:invalidatedAtTime ?t ; kl:submissionStatus kl:SubmissionReplaced }}")
    with pytest.raises(Conflict):
        subs.submit(store, SETTINGS, sentra_turtle(), principal=A, filename="v3.ttl",
                    media_type="text/turtle", replaces=first.id)
    third = subs.submit(store, SETTINGS, sentra_turtle(label="Oleh admin"), principal=ADMIN,
                        filename="v3.ttl", media_type="text/turtle", replaces=second.id).record
    assert third.steward == "admin" and third.replaces == second.id


def test_withdraw_removes_data_and_keeps_the_record(store: Store) -> None:
    mine = subs.submit(store, SETTINGS, sentra_turtle(), principal=A, filename="a.ttl",
                       media_type="text/turtle").record
    theirs = subs.submit(store, SETTINGS, sentra_turtle("tas-tanggulangin", "Sentra Tas"), principal=B,
                         filename="b.ttl", media_type="text/turtle").record
    with pytest.raises(Forbidden):
        subs.withdraw(store, SETTINGS, theirs.id, principal=A)
    withdrawn = subs.withdraw(store, SETTINGS, mine.id, principal=A)
    assert withdrawn.status == "withdrawn" and withdrawn.invalidated
    assert mine.graph not in store.graphs()
    assert not ask(store, f"ASK {{ <{BASE}sentra/alas-kaki-wedoro> ?p ?o }}")  # data and inferences
    assert ask(store, f"ASK {{ <{mine.iri}> kl:submissionStatus kl:SubmissionWithdrawn ; "
                      f"prov:invalidatedAtTime ?t }}")
    with pytest.raises(Conflict):
        subs.withdraw(store, SETTINGS, mine.id, principal=A)
    assert subs.withdraw(store, SETTINGS, theirs.id, principal=ADMIN).status == "withdrawn"
    assert [r.status for r in subs.list_submissions(store, base_iri=BASE)] == ["withdrawn", "withdrawn"]


def test_search_finds_a_submitted_sentra_until_it_is_withdrawn(store: Store) -> None:
    """The label index keys of a submission live in its inferred graph: search finds the sentra
    (and the village it labels anew) while it is active, and not once it is withdrawn."""
    from kg.questions import load_questions, run_question

    search = load_questions(base_iri=BASE)["search"]

    def found(text: str) -> list[object]:
        table = run_question(store, search, {"q": text}, base_iri=BASE)
        return [row[0] for row in table.rows]

    sentra = f"{BASE}sentra/alas-kaki-wedoro"
    assert found("alas kaki wedoro") == []
    record = subs.submit(store, SETTINGS, sentra_turtle(), principal=A, filename="a.ttl",
                         media_type="text/turtle").record
    assert found("alas kaki wedoro") == [sentra] and found("Wedoro")[:1] == [f"{BASE}wilayah/35.15.18.2013"]
    assert sentra in found("KAKI wedoro")
    subs.withdraw(store, SETTINGS, record.id, principal=A)
    assert found("alas kaki wedoro") == [] and sentra not in found("Wedoro")
    assert found("Wedoro") == [f"{BASE}wilayah/35.15.18.2013"]  # the reference keys stay


@pytest.mark.parametrize("bad", ["", "../etc", "20260101-000000-ABCDEF", "x" * 300])
def test_unknown_or_malformed_ids_are_not_found(store: Store, bad: str) -> None:
    from kg.errors import NotFound
    with pytest.raises(NotFound):
        subs.get_submission(store, bad, base_iri=BASE)


# -- command line --------------------------------------------------------------------------------
@pytest.fixture
def cli_store(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    store = EmbeddedStore(path)
    seed_context(store)  # ontology + reference graphs present: ensure_store will not re-seed
    store.close()
    return path


def run_cli(*argv: str) -> int:
    from kg.cli import submit as submit_cli

    parser = argparse.ArgumentParser()
    submit_cli.register(parser.add_subparsers())
    args = parser.parse_args(["submit", *argv])
    return args.func(args)


def test_cli_submit_stores_and_logs(cli_store: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "wedoro.ttl"
    good.write_bytes(sentra_turtle())
    assert run_cli(str(good), "--steward", A.name, "--store", str(cli_store)) == 0
    submission_id = capsys.readouterr().out.strip()
    assert subs.ID_PATTERN.match(submission_id)
    store = EmbeddedStore(cli_store)
    assert subs.get_submission(store, submission_id, base_iri=BASE).steward == A.name
    store.close()
    log = TokenRegistry(str(cli_store) + ".auth.sqlite").log_entries()
    assert [(e.who, e.action, e.target) for e in log] == [(A.name, "submit", submission_id)]


def test_cli_submit_rejected_and_unreadable(cli_store: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    store = EmbeddedStore(cli_store)
    before = snapshot(store)
    store.close()
    bad = tmp_path / "bad.ttl"
    bad.write_bytes(sentra_turtle(good=False))
    assert run_cli(str(bad), "--steward", A.name, "--store", str(cli_store)) == 1
    assert "VIOLATION" in capsys.readouterr().out
    broken = tmp_path / "broken.ttl"
    broken.write_bytes(b"@prefix : <")
    with pytest.raises(BadRequest) as caught:
        run_cli(str(broken), "--steward", A.name, "--store", str(cli_store))
    assert caught.value.exit_code == 2
    with pytest.raises(BadRequest):
        run_cli(str(tmp_path / "missing.ttl"), "--steward", A.name, "--store", str(cli_store))
    with pytest.raises(BadRequest):
        run_cli(str(bad), "--steward", "no spaces", "--store", str(cli_store))
    store = EmbeddedStore(cli_store)
    assert snapshot(store) == before
    store.close()
