"""Steward submissions: validate, ingest atomically with PROV-O provenance, replace, withdraw.

A submission's triples live in their own named graph ``{base}graph/submission/{id}``; its
provenance record lives in ``{base}graph/submissions`` as the ``prov:Entity``
``{base}submission/{id}``. Ingest writes both in ONE ``store.update`` request (one transaction):
the data, the record and, when replacing, the retirement of the old record and the drop of its data
graph. If any part fails, nothing is written. A rejected submission never reaches the store.

Withdrawal drops the data graph but keeps the record (status withdrawn, ``prov:invalidatedAtTime``),
and a replacement points back with ``prov:wasRevisionOf``, so the history stays queryable in SPARQL.

Terms this module adds to the ``kl:`` vocabulary: ``kl:Submission`` (⊑ prov:Entity),
``kl:submissionKind``, ``kl:submissionStatus`` with the individuals ``kl:SubmissionActive``,
``kl:SubmissionReplaced`` and ``kl:SubmissionWithdrawn``, ``kl:submissionGraph``,
``kl:templateVersion``, ``kl:recordCount`` and ``kl:warningCount``. The file checksum uses SPDX
(``spdx:checksum`` → ``spdx:Checksum`` with ``spdx:algorithm spdx:checksumAlgorithm_sha256`` and
``spdx:checksumValue``); the triple count uses ``void:triples``.
"""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg import aggregates, sharing
from kg.auth import Principal, check_name
from kg.errors import BadRequest, Conflict, Forbidden, NotFound, StoreError
from kg.namespaces import DCTERMS, KL, PROV, RDF, RDFS, VOID, XSD, graph_iri
from kg.reason import infer_delta, inferred_graph_for
from kg.settings import Settings
from kg.store import EmbeddedStore, Store

if TYPE_CHECKING:
    from kg.validate import Submission, ValidationReport

log = logging.getLogger(__name__)

SPDX = "http://spdx.org/rdf/terms#"
GRAPH_SUBMISSIONS = "submissions"
STATUSES = {"active": KL + "SubmissionActive", "replaced": KL + "SubmissionReplaced",
            "withdrawn": KL + "SubmissionWithdrawn"}
_STATUS_NAMES = {iri: name for name, iri in STATUSES.items()}
ID_PATTERN = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$")

#: One writer at a time inside this process: the check of the old record and the update that
#: retires it must not interleave with another replacement or withdrawal.
_WRITE_LOCK = threading.Lock()


@dataclass(frozen=True)
class SubmissionRecord:
    """The provenance record of one submission, as stored in ``graph/submissions``."""

    id: str
    iri: str
    graph: str
    steward: str
    status: str
    generated: str
    title: str
    media_type: str | None
    checksum: str
    kind: str | None
    template_version: str | None
    triples: int
    records: int
    warnings: int
    invalidated: str | None = None
    replaces: str | None = None
    replaced_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "iri": self.iri, "graph": self.graph, "steward": self.steward,
            "status": self.status, "generated": self.generated, "invalidated": self.invalidated,
            "title": self.title, "media_type": self.media_type, "sha256": self.checksum,
            "kind": self.kind, "template_version": self.template_version,
            "triples": self.triples, "records": self.records, "warnings": self.warnings,
            "replaces": self.replaces, "replaced_by": self.replaced_by,
        }


@dataclass(frozen=True)
class SubmissionOutcome:
    """What ``submit`` did: ``record`` is set when accepted; ``report`` always."""

    accepted: bool
    report: "ValidationReport"
    record: SubmissionRecord | None = None
    inferred_triples: int | None = None


# -- IRIs ----------------------------------------------------------------------------------------
def submissions_graph(base_iri: str) -> str:
    return graph_iri(base_iri, GRAPH_SUBMISSIONS)


def data_graph(base_iri: str, submission_id: str) -> str:
    return graph_iri(base_iri, f"submission/{submission_id}")


def submission_iri(base_iri: str, submission_id: str) -> str:
    return f"{base_iri}submission/{submission_id}"


def steward_iri(base_iri: str, name: str) -> str:
    return f"{base_iri}steward/{name}"


def check_id(submission_id: str) -> str:
    if not isinstance(submission_id, str) or not ID_PATTERN.match(submission_id):
        raise NotFound(f"no submission {submission_id!r}")
    return submission_id


def new_id(now: datetime) -> str:
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def _timestamp(now: datetime) -> ox.Literal:
    return ox.Literal(now.isoformat(timespec="seconds"), datatype=ox.NamedNode(XSD + "dateTime"))


def _nt(terms: list[tuple[Any, Any, Any]]) -> str:
    """N-Triples text (valid inside INSERT DATA / DELETE DATA) for (s, p, o) terms."""
    body = ox.serialize((ox.Triple(s, p, o) for s, p, o in terms), format=ox.RdfFormat.N_TRIPLES)
    return body.decode("utf-8") if body else ""


# -- reading records -----------------------------------------------------------------------------
_RECORD_QUERY = f"""
PREFIX kl: <{KL}>
PREFIX prov: <{PROV}>
PREFIX dcterms: <{DCTERMS}>
PREFIX spdx: <{SPDX}>
PREFIX void: <{VOID}>
PREFIX rdfs: <{RDFS}>
SELECT ?s ?graph ?steward ?status ?generated ?title ?format ?sum ?kind ?version ?triples ?records
       ?warnings ?invalidated ?old ?new
WHERE {{
  ?s a kl:Submission ; kl:submissionGraph ?graph ; kl:submissionStatus ?status ;
     prov:generatedAtTime ?generated ; prov:wasAttributedTo ?agent .
  ?agent rdfs:label ?steward .
  OPTIONAL {{ ?s dcterms:title ?title }}
  OPTIONAL {{ ?s dcterms:format ?format }}
  OPTIONAL {{ ?s spdx:checksum/spdx:checksumValue ?sum }}
  OPTIONAL {{ ?s kl:submissionKind ?kind }}
  OPTIONAL {{ ?s kl:templateVersion ?version }}
  OPTIONAL {{ ?s void:triples ?triples }}
  OPTIONAL {{ ?s kl:recordCount ?records }}
  OPTIONAL {{ ?s kl:warningCount ?warnings }}
  OPTIONAL {{ ?s prov:invalidatedAtTime ?invalidated }}
  OPTIONAL {{ ?s prov:wasRevisionOf ?old }}
  OPTIONAL {{ ?new prov:wasRevisionOf ?s }}
}}
ORDER BY ?generated ?s
"""


def _records(store: Store, base_iri: str, iri: str | None = None) -> list[SubmissionRecord]:
    bindings = {"s": ox.NamedNode(iri)} if iri else None
    result = store.query(_RECORD_QUERY, bindings=bindings,
                         default_graphs=[submissions_graph(base_iri)])
    prefix = submission_iri(base_iri, "")

    def value(solution: ox.QuerySolution, name: str) -> str | None:
        term = solution[name]
        return None if term is None else term.value

    def local(term_value: str | None) -> str | None:
        return term_value[len(prefix):] if term_value and term_value.startswith(prefix) else term_value

    records = []
    for sol in result:
        s = value(sol, "s") or ""
        records.append(SubmissionRecord(
            id=local(s) or s, iri=s, graph=value(sol, "graph") or "",
            steward=value(sol, "steward") or "", status=_STATUS_NAMES.get(value(sol, "status") or "", "unknown"),
            generated=value(sol, "generated") or "", title=value(sol, "title") or "",
            media_type=value(sol, "format"), checksum=value(sol, "sum") or "",
            kind=value(sol, "kind"), template_version=value(sol, "version"),
            triples=int(value(sol, "triples") or 0), records=int(value(sol, "records") or 0),
            warnings=int(value(sol, "warnings") or 0), invalidated=value(sol, "invalidated"),
            replaces=local(value(sol, "old")), replaced_by=local(value(sol, "new"))))
    return records


def list_submissions(store: Store, *, base_iri: str = Settings.base_iri) -> list[SubmissionRecord]:
    """Every submission ever made, oldest first, whatever its status."""
    return _records(store, base_iri)


def get_submission(store: Store, submission_id: str, *,
                   base_iri: str = Settings.base_iri) -> SubmissionRecord:
    check_id(submission_id)
    found = _records(store, base_iri, submission_iri(base_iri, submission_id))
    if not found:
        raise NotFound(f"no submission {submission_id!r}")
    return found[0]


# -- writing -------------------------------------------------------------------------------------
def _run_update(store: Store, sparql: str) -> None:
    """Run the one update of a write; the store's transaction makes it all or nothing."""
    from kg.remote import ConnectionLost

    try:
        store.update(sparql)
    except ConnectionLost:
        raise  # the caller checks whether the server applied it
    except StoreError as exc:  # e.g. "the graph ... does not exist"
        raise StoreError(f"the store refused the update; nothing was written ({exc.detail})") from None


def _retire(base: str, old: SubmissionRecord, status: str, now: datetime, *,
            silent: bool = False) -> str:
    """Update operations that retire ``old``: drop its data graph, change its status."""
    subject = ox.NamedNode(old.iri)
    status_p = ox.NamedNode(KL + "submissionStatus")
    graph = submissions_graph(base)
    # DROP GRAPH without SILENT: if the data graph vanished since we read the record (a concurrent
    # withdrawal), the whole transaction fails and nothing is written.
    return (f"DROP {'SILENT ' if silent else ''}GRAPH <{old.graph}> ;\n"
            f"DROP SILENT GRAPH <{inferred_graph_for(base, old.graph)}> ;\n"
            f"DELETE DATA {{ GRAPH <{graph}> {{\n"
            f"{_nt([(subject, status_p, ox.NamedNode(STATUSES['active']))])}}} }} ;\n"
            f"INSERT DATA {{ GRAPH <{graph}> {{\n"
            f"{_nt([(subject, status_p, ox.NamedNode(STATUSES[status])), (subject, ox.NamedNode(PROV + 'invalidatedAtTime'), _timestamp(now))])}"
            f"}} }}")


def _record_count(submission: "Submission") -> int:
    """How many records (sentra, enterprises, linkages…) the submission holds."""
    from kg.validate import RECORD_CLASSES

    rdf_type, classes = RDF + "type", set(RECORD_CLASSES)
    return len({t.subject for t in submission.triples
                if t.predicate.value == rdf_type and t.object.value in classes})


def _record_triples(base: str, submission_id: str, submission: "Submission",
                    report: "ValidationReport", steward: str,
                    now: datetime, replaces: SubmissionRecord | None) -> list[tuple[Any, Any, Any]]:
    s = ox.NamedNode(submission_iri(base, submission_id))
    agent = ox.NamedNode(steward_iri(base, steward))
    checksum = ox.NamedNode(f"{s.value}#checksum")
    iri = ox.NamedNode
    lit = ox.Literal
    integer = iri(XSD + "integer")
    warnings = report.counts().get("warning", 0)
    title = submission.filename or f"submission {submission_id}"
    triples: list[tuple[Any, Any, Any]] = [
        (s, iri(RDF + "type"), iri(KL + "Submission")),
        (s, iri(RDF + "type"), iri(PROV + "Entity")),
        (s, iri(RDFS + "label"), lit(f"Submission {submission_id}: {title}")),
        (s, iri(PROV + "wasAttributedTo"), agent),
        (s, iri(PROV + "generatedAtTime"), _timestamp(now)),
        (s, iri(DCTERMS + "title"), lit(title)),
        (s, iri(KL + "submissionGraph"), iri(data_graph(base, submission_id))),
        (s, iri(KL + "submissionStatus"), iri(STATUSES["active"])),
        (s, iri(VOID + "triples"), lit(str(len(submission.triples)), datatype=integer)),
        (s, iri(KL + "recordCount"), lit(str(_record_count(submission)), datatype=integer)),
        (s, iri(KL + "warningCount"), lit(str(warnings), datatype=integer)),
        (s, iri(SPDX + "checksum"), checksum),
        (checksum, iri(RDF + "type"), iri(SPDX + "Checksum")),
        (checksum, iri(SPDX + "algorithm"), iri(SPDX + "checksumAlgorithm_sha256")),
        (checksum, iri(SPDX + "checksumValue"), lit(submission.checksum, datatype=iri(XSD + "hexBinary"))),
        (agent, iri(RDF + "type"), iri(PROV + "Agent")),
        (agent, iri(RDFS + "label"), lit(steward)),
    ]
    if submission.media_type:
        triples.append((s, iri(DCTERMS + "format"), lit(submission.media_type)))
    if submission.kind:
        triples.append((s, iri(KL + "submissionKind"), lit(submission.kind)))
    if submission.template_version:
        triples.append((s, iri(KL + "templateVersion"), lit(submission.template_version)))
    if replaces is not None:
        triples.append((s, iri(PROV + "wasRevisionOf"), iri(replaces.iri)))
    return triples


def ingest_update(base: str, submission_id: str, submission: "Submission",
                  report: "ValidationReport", steward: str,
                  now: datetime, replaces: SubmissionRecord | None = None,
                  inferred: list[ox.Triple] | None = None) -> str:
    """The one SPARQL update that stores a validated submission, the inferences it adds (in a
    graph of their own, so withdrawing drops them too) and its record, and retires the one it
    replaces."""
    graph = data_graph(base, submission_id)
    data = ox.serialize(submission.triples, format=ox.RdfFormat.N_TRIPLES)
    record = _nt(_record_triples(base, submission_id, submission, report, steward, now, replaces))
    derived = ox.serialize(inferred or [], format=ox.RdfFormat.N_TRIPLES) or b""
    # CREATE first: Virtuoso drops (when the submission is replaced or withdrawn) only a graph
    # that was created explicitly, and the retirement's DROP GRAPH is deliberately not SILENT
    ops = [f"CREATE SILENT GRAPH <{graph}>",
           f"INSERT DATA {{ GRAPH <{graph}> {{\n{data.decode('utf-8') if data else ''}}} }}",
           f"INSERT DATA {{ GRAPH <{inferred_graph_for(base, graph)}> {{\n{derived.decode()}}} }}",
           f"INSERT DATA {{ GRAPH <{submissions_graph(base)}> {{\n{record}}} }}"]
    if replaces is not None:
        ops.append(_retire(base, replaces, "replaced", now))
    return " ;\n".join(ops)


def _store_submission(store: Store, base: str, submission_id: str, submission: "Submission",
                      report: "ValidationReport", steward: str, now: datetime,
                      replaces: SubmissionRecord | None, inferred: list[ox.Triple]) -> None:
    """Store a validated submission in one transaction. A new submission in the embedded store
    is added as quads in one ``extend`` transaction: no SPARQL text of its millions of triples is
    built and parsed (20,000 rows: 1.5 GB peak instead of 1.9 GB, and faster). A replacement (which
    must also retire the old one) and a remote store use the one update of :func:`ingest_update`."""
    if replaces is not None or not isinstance(getattr(store, "inner", store), EmbeddedStore):
        _run_update(store, ingest_update(base, submission_id, submission, report, steward, now,
                                         replaces, inferred))
        return
    graph = ox.NamedNode(data_graph(base, submission_id))
    derived = ox.NamedNode(inferred_graph_for(base, graph.value))
    records = ox.NamedNode(submissions_graph(base))
    record = _record_triples(base, submission_id, submission, report, steward, now, replaces)
    try:
        store.add(itertools.chain(
            (ox.Quad(t.subject, t.predicate, t.object, graph) for t in submission.triples),
            (ox.Quad(t.subject, t.predicate, t.object, derived) for t in inferred),
            (ox.Quad(s, p, o, records) for s, p, o in record)))
    except RuntimeError as exc:  # e.g. a read-only store: the transaction never started
        raise StoreError(f"the store refused the submission; nothing was written ({exc})") from None
    except StoreError as exc:
        raise StoreError(f"the store refused the submission; nothing was written ({exc.detail})") \
            from None


def _authorise(principal: Principal, record: SubmissionRecord, action: str) -> None:
    if principal.role != "admin" and principal.name != record.steward:
        raise Forbidden(f"submission {record.id} belongs to steward {record.steward!r}; "
                        f"only they or an admin may {action} it")
    if record.status != "active":
        raise Conflict(f"submission {record.id} is {record.status}; only an active submission "
                       f"can be {action}d")


def submit(store: Store, settings: Settings, data: bytes, *, principal: Principal,
           filename: str | None = None, media_type: str | None = None, kind: str | None = None,
           replaces: str | None = None, now: Callable[[], datetime] | None = None,
           ) -> SubmissionOutcome:
    """Read, validate and (when it conforms) store a submission by ``principal``.

    A non-conforming submission is a normal answer (``accepted=False`` with the report), and the
    store is left exactly as it was. Unreadable input raises :class:`kg.errors.BadRequest`.
    """
    from kg.validate import read_submission, validate_submission

    check_name(principal.name)
    base = settings.base_iri
    if replaces is not None:
        check_id(replaces)
    submission = read_submission(data, filename=filename, media_type=media_type, kind=kind,
                                 base_iri=base)
    if not submission.triples:
        raise BadRequest("the submission holds no data")
    with _WRITE_LOCK:
        old = None
        if replaces is not None:
            old = get_submission(store, replaces, base_iri=base)
            _authorise(principal, old, "replace")
        report = validate_submission(store, submission, base_iri=base,
                                     replaces=old.graph if old else None)
        if not report.conforms:
            return SubmissionOutcome(False, report)
        when = (now or (lambda: datetime.now(timezone.utc)))()
        submission_id = new_id(when)
        retired = (old.graph, inferred_graph_for(base, old.graph)) if old else ()
        inferred = infer_delta(store, settings, list(submission.triples), exclude=retired)
        sentra = aggregates.sentra_in(submission.triples) | (
            aggregates.sentra_of_graph(store, old.graph) if old else set())
        counted = aggregates.snapshot(store, sentra)
        linking = sharing.sentra_in(submission.triples) | (
            sharing.sentra_of_graph(store, old.graph) if old else set())
        linked = sharing.items_of(store, linking)
        try:
            _store_submission(store, base, submission_id, submission, report, principal.name,
                              when, old, inferred)
        except StoreError as exc:
            _confirm_after_lost_connection(store, base, submission_id, exc)
        record = get_submission(store, submission_id, base_iri=base)
        aggregates.keep_current(store, base, counted)
        sharing.keep_current(store, base, linking, linked)
    return SubmissionOutcome(True, report, record, len(inferred))


def _confirm_after_lost_connection(store: Store, base: str, submission_id: str,
                                   error: StoreError) -> None:
    """After the connection to a remote store broke during the one ingest update: the server
    applies a request whole or not at all, so the submission's record tells which happened.
    Returns when it was stored; raises otherwise (nothing was written)."""
    from kg.remote import ConnectionLost

    if not isinstance(error, ConnectionLost):
        raise error
    try:
        stored = bool(_records(store, base, submission_iri(base, submission_id)))
    except StoreError:
        raise StoreError(f"the connection to the store broke while storing submission "
                         f"{submission_id} and the store cannot be reached to confirm it: the "
                         "store applies it whole or not at all; see GET /submissions") from None
    if not stored:
        raise StoreError("the connection to the store broke while storing the submission; "
                         "nothing was written; try again") from None
    log.warning("connection lost after the store applied submission %s", submission_id)


def withdraw(store: Store, settings: Settings, submission_id: str, *, principal: Principal,
             now: Callable[[], datetime] | None = None) -> SubmissionRecord:
    """Remove a submission's data; its record stays, with status withdrawn."""
    base = settings.base_iri
    with _WRITE_LOCK:
        record = get_submission(store, submission_id, base_iri=base)
        _authorise(principal, record, "withdraw")
        when = (now or (lambda: datetime.now(timezone.utc)))()
        sentra = aggregates.sentra_of_graph(store, record.graph)
        counted = aggregates.snapshot(store, sentra)
        linking = sharing.sentra_of_graph(store, record.graph)
        linked = sharing.items_of(store, linking)
        _run_update(store, _retire(base, record, "withdrawn", when, silent=True))
        aggregates.keep_current(store, base, counted)
        sharing.keep_current(store, base, linking, linked)
        record = get_submission(store, submission_id, base_iri=base)
    return record
