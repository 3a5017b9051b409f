"""Validating a steward's submission against the SHACL shapes, with the graph as context.

:func:`read_submission` turns the bytes of a file (CSV, XLSX, Turtle, JSON-LD…) into a
:class:`Submission`: the triples it stands for, and for tabular input the spreadsheet row of every
record. :func:`validate_submission` checks it and returns a :class:`ValidationReport`.

Validation scales with the submission, not with the store: the data graph handed to pySHACL holds
the submission's triples plus only the context its references need (the type of each region code,
the KBLI concepts, the sentra already stored, identifiers already used, last year's counts), fetched
with one ``VALUES`` query per kind of reference. Context terms in ``klv:`` exist only in that graph.
The shapes run as SPARQL queries compiled by :mod:`kg.shacl` on a pyoxigraph store of that data
graph (pySHACL, node by node, took ~5 ms a row); the tests check the compiled checks against
pySHACL. The store is in memory, or for a large file (over :data:`ON_DISK_ABOVE` triples) in a
temporary directory (``TMPDIR``), which holds the peak of a 100,000-row CSV under 2 GB.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

import pyoxigraph as ox
import rdflib

from kg import csvw, shacl, tabular
from kg.errors import BadRequest, UnsupportedMediaType
from kg.namespaces import GRAPH_INFERRED, KL, QB, RDF, RDFS, SH, graph_iri
from kg.resources import data_folder
from kg.sharing import sharing_graph
from kg.store import Store

KLV = "https://w3id.org/klaster/validation#"
SEVERITIES = ("violation", "warning", "info")

#: Classes whose instances are the records a submission adds (checked for reused identifiers).
RECORD_CLASSES = (KL + "Sentra", KL + "Enterprise", KL + "Linkage", KL + "Intervention",
                  QB + "Observation")
REGION_PROPERTIES = (KL + "locatedIn", KL + "refArea")
INDUSTRY_PROPERTIES = (KL + "industryCode", KL + "refIndustry")
SENTRA_PROPERTIES = (KL + "memberOfSentra", KL + "linkageSource", KL + "linkageTarget",
                     KL + "reachedSentra", KL + "refSentra", KL + "includesSentra")

RDF_MEDIA_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/n3": ox.RdfFormat.N3,
}
TABULAR_MEDIA_TYPES = {"text/csv": "csv", "application/csv": "csv", "text/plain": "csv",
                       "application/vnd.ms-excel": "csv", tabular.XLSX_MEDIA_TYPE: "xlsx"}
_EXTENSIONS = {".csv": "text/csv", ".txt": "text/csv", ".xlsx": tabular.XLSX_MEDIA_TYPE,
               ".ttl": "text/turtle", ".jsonld": "application/ld+json", ".json": "application/ld+json",
               ".nt": "application/n-triples", ".rdf": "application/rdf+xml", ".n3": "text/n3"}
_CHUNK = 5000
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True)
class Finding:
    """One problem (or advice) about a submission."""

    severity: str  # "violation" | "warning" | "info"
    message: dict[str, str]  # {"id": ..., "en": ...}
    focus: str | None = None
    path: str | None = None
    value: str | None = None
    constraint: str | None = None  # sh:sourceConstraintComponent
    row: int | None = None  # spreadsheet row (header = row 1), tabular input
    column: str | None = None  # column header, tabular input
    shape: str | None = None  # sh:sourceShape, when it is named

    def text(self, lang: str = "id") -> str:
        return self.message.get(lang) or self.message.get("en") or next(iter(self.message.values()), "")


@dataclass(frozen=True)
class Submission:
    """The RDF a submitted file stands for, and where each record came from."""

    kind: str | None
    filename: str | None
    media_type: str
    checksum: str  # sha256 of the bytes
    triples: tuple[ox.Triple, ...]
    subjects: dict[str, int] = field(default_factory=dict)  # subject IRI → first spreadsheet row
    row_subjects: tuple[tuple[str, int], ...] = ()  # (record IRI, row) for every data row
    notes: tuple[Finding, ...] = ()  # findings made while reading (unknown columns…)
    template_version: str | None = None


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool  # no violation (warnings allowed)
    findings: tuple[Finding, ...]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for finding in self.findings:
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
        return counts


# -- reading --------------------------------------------------------------------------------------

def _media_type(data: bytes, filename: str | None, media_type: str | None) -> str:
    declared = (media_type or "").split(";")[0].strip().lower()
    if declared in RDF_MEDIA_TYPES or declared in TABULAR_MEDIA_TYPES:
        if declared == "text/plain" and filename:
            declared = ""  # a browser's guess: trust the file name instead
        else:
            return declared
    if filename:
        suffix = PurePath(filename).suffix.lower()
        if suffix in _EXTENSIONS:
            return _EXTENSIONS[suffix]
    if declared and declared not in ("application/octet-stream", "multipart/form-data", ""):
        raise UnsupportedMediaType(
            f"cannot validate {declared}: send CSV, XLSX, Turtle or JSON-LD")
    if tabular.is_xlsx(data):
        return tabular.XLSX_MEDIA_TYPE
    head = data[:512].lstrip(b"\xef\xbb\xbf \r\n\t").lower()
    if head.startswith((b"@prefix", b"@base", b"prefix ", b"base ")):
        return "text/turtle"
    if head.startswith((b"{", b"[")):
        return "application/ld+json"
    return "text/csv"


def read_submission(data: bytes, *, filename: str | None = None, media_type: str | None = None,
                    kind: str | None = None, base_iri: str) -> Submission:
    """The submission in ``data``; :class:`BadRequest` with a one-line message when unreadable."""
    if kind is not None and kind not in csvw.KINDS:
        raise BadRequest(f"unknown kind {kind!r}: use one of {', '.join(csvw.KINDS)}")
    if not data or not data.strip():
        raise BadRequest("the file is empty")
    checksum = hashlib.sha256(data).hexdigest()
    mtype = _media_type(data, filename, media_type)
    if mtype in RDF_MEDIA_TYPES:
        triples = _read_rdf(data, RDF_MEDIA_TYPES[mtype], base_iri)
        return Submission(kind, filename, mtype, checksum, triples)
    table = tabular.read_table(data, xlsx=TABULAR_MEDIA_TYPES[mtype] == "xlsx")
    schema = _schema_for(table, kind)
    known, unknown = csvw.header_columns(schema, table.headers)
    notes = tuple(Finding(
        "info", {"id": f"Kolom \"{h}\" tidak ada dalam templat {schema.kind} dan diabaikan.",
                 "en": f"Column \"{h}\" is not in the {schema.kind} template and is ignored."},
        row=1, column=h) for h in unknown)
    if not table.rows:
        raise BadRequest("the file has a header row but no data rows")
    seen: dict[ox.Triple, None] = {}
    subjects: dict[str, int] = {}
    row_subjects: list[tuple[str, int]] = []
    for mapped in csvw.iter_mapped(schema, table.rows, table.headers, base_iri):
        for triple in mapped.triples:
            seen.setdefault(triple, None)
        for subject in mapped.subjects:
            subjects.setdefault(subject, mapped.row)
        row_subjects.append((mapped.about, mapped.row))
    return Submission(schema.kind, filename, mtype, checksum, tuple(seen), subjects,
                      tuple(row_subjects), notes, schema.version)


def _read_rdf(data: bytes, fmt: ox.RdfFormat, base_iri: str) -> tuple[ox.Triple, ...]:
    from kg.rdf_limits import check_rdf

    check_rdf(data, fmt)  # nesting and entity expansion, before the parser sees it
    try:
        triples = tuple(ox.parse(data, fmt, base_iri=base_iri))
    except SyntaxError as exc:
        raise BadRequest(f"invalid {fmt.name}: {str(exc).splitlines()[0]}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"invalid {fmt.name}: {exc}") from None
    if not triples:
        raise BadRequest(f"the {fmt.name} file holds no triples")
    return tuple(t if isinstance(t, ox.Triple) else t.triple for t in triples)


def _schema_for(table: tabular.Table, kind: str | None) -> csvw.TableSchema:
    candidates = [kind] if kind else list(csvw.KINDS)
    best: tuple[int, csvw.TableSchema] | None = None
    problems = []
    for name in candidates:
        schema = csvw.table_schema(name)
        known, _ = csvw.header_columns(schema, table.headers)
        present = set(known.values())
        missing = [c.name for c in schema.required_columns if c.name not in present]
        if missing:
            problems.append(f"{name}: missing {', '.join(str(m) for m in missing)}")
            continue
        if best is None or len(present) > best[0]:
            best = (len(present), schema)
    if best is None:
        if kind:
            raise BadRequest(f"this is not the {kind} template: required column(s) "
                             f"{problems[0].split(': missing ', 1)[1]} missing from row 1")
        raise BadRequest("row 1 does not match any template (" + "; ".join(problems) +
                         "): download one from /templates")
    return best[1]


# -- context from the store -----------------------------------------------------------------------

def _chunks(items: list[ox.NamedNode]) -> Iterator[str]:
    for start in range(0, len(items), _CHUNK):
        yield " ".join(str(n) for n in items[start:start + _CHUNK])


def _objects(triples: Iterable[ox.Triple], predicates: tuple[str, ...]) -> list[ox.NamedNode]:
    wanted = set(predicates)
    found = {t.object for t in triples
             if t.predicate.value in wanted and isinstance(t.object, ox.NamedNode)}
    return sorted(found, key=lambda n: n.value)


def _select(store: Store, sparql: str) -> Iterator[dict[str, object]]:
    result = store.query(sparql)
    variables = [v.value for v in result.variables]  # type: ignore[union-attr]
    for solution in result:  # type: ignore[union-attr]
        yield {v: solution[v] for v in variables}


def context_triples(store: Store, submission: Submission, *, base_iri: str,
                    replaces: str | None = None) -> list[ox.Triple]:
    """The context the shapes need about what ``submission`` references, from ``store``."""
    T, N = ox.Triple, ox.NamedNode
    rdf_type = N(RDF + "type")
    triples = submission.triples
    out: list[ox.Triple] = []

    # regions: their level classes (and superclasses the ontology names)
    regions = _objects(triples, REGION_PROPERTIES)
    region_types: set[ox.NamedNode] = set()
    typed: list[tuple[ox.NamedNode, ox.NamedNode]] = []
    for values in _chunks(regions):
        for row in _select(store, f"SELECT ?r ?t WHERE {{ VALUES ?r {{ {values} }} "
                                  f"?r <{KL}kemendagriCode> ?c ; a ?t }}"):
            typed.append((row["r"], row["t"]))  # type: ignore[arg-type]
            region_types.add(row["t"])  # type: ignore[arg-type]
    supers: dict[ox.NamedNode, set[ox.NamedNode]] = {t: {t, N(KL + "Region")} for t in region_types}
    if region_types:
        # one branch per type, the path starting from a constant: Virtuoso rejects a property
        # path whose start comes from VALUES ("transitive start not given")
        branches = " UNION ".join(f"{{ BIND({t} AS ?t) {t} <{RDFS}subClassOf>+ ?s }}"
                                  for t in sorted(region_types, key=lambda n: n.value))
        for row in _select(store, f"SELECT ?t ?s WHERE {{ {branches} FILTER isIRI(?s) }}"):
            supers[row["t"]].add(row["s"])  # type: ignore[index]
    for region, level in typed:
        out.extend(T(region, rdf_type, c) for c in supers[level])

    # KBLI concepts, each in its version
    for values in _chunks(_objects(triples, INDUSTRY_PROPERTIES)):
        for row in _select(store, f"SELECT ?k WHERE {{ VALUES ?k {{ {values} }} "
                                  f"?k a <{KL}IndustryClass> }}"):
            out.append(T(row["k"], rdf_type, N(KL + "IndustryClass")))  # type: ignore[arg-type]

    # sentra referenced but not in the submission: stored ones count
    submitted_sentra = {t.subject for t in triples
                        if t.predicate == rdf_type and t.object == N(KL + "Sentra")}
    referenced = [s for s in _objects(triples, SENTRA_PROPERTIES) if s not in submitted_sentra]
    for values in _chunks(referenced):
        for row in _select(store, f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} "
                                  f"?s a <{KL}Sentra> }}"):
            out.append(T(row["s"], rdf_type, N(KLV + "ExistingSentra")))  # type: ignore[arg-type]

    # identifiers already used by stored records (outside the graph being replaced, and outside the
    # graphs Klaster derives: the inferences, and the sharing graph's sentra-only links)
    record_classes = {N(c) for c in RECORD_CLASSES}
    records = sorted({t.subject for t in triples if t.predicate == rdf_type
                      and t.object in record_classes and isinstance(t.subject, ox.NamedNode)},
                     key=lambda n: n.value)
    ignored = ({graph_iri(base_iri, GRAPH_INFERRED), sharing_graph(base_iri)}
               | ({replaces} if replaces else set()))
    inferred_prefix = graph_iri(base_iri, GRAPH_INFERRED) + "/"  # per-submission inferences
    for values in _chunks(records):
        for row in _select(store, f"SELECT DISTINCT ?s ?g WHERE {{ VALUES ?s {{ {values} }} "
                                  f"GRAPH ?g {{ ?s ?p ?o }} }}"):
            graph = row["g"].value  # type: ignore[union-attr]
            if graph not in ignored and not graph.startswith(inferred_prefix):
                out.append(T(row["s"], N(KLV + "alreadyIn"), row["g"]))  # type: ignore[arg-type]

    # spreadsheet rows of every record, so repeated identifiers show up
    integer = N("http://www.w3.org/2001/XMLSchema#integer")
    for subject, row_number in submission.row_subjects:
        out.append(T(N(subject), N(KLV + "row"), ox.Literal(str(row_number), datatype=integer)))

    out.extend(_previous_counts(store, triples, ignored))
    return out


def _previous_counts(store: Store, triples: tuple[ox.Triple, ...],
                     ignored: set[str]) -> Iterator[ox.Triple]:
    """``klv:previousUnitCount`` for each submitted observation whose sentra has last year's count."""
    ref, period, units = (KL + "refSentra", KL + "refPeriod", KL + "unitCount")
    facts: dict[ox.Term, dict[str, ox.Term]] = {}
    for t in triples:
        if t.predicate.value in (ref, period, units):
            facts.setdefault(t.subject, {})[t.predicate.value] = t.object
    observations = {o: f for o, f in facts.items() if ref in f and period in f}
    if not observations:
        return
    counts: dict[tuple[str, str], ox.Literal] = {}
    sentra = sorted({f[ref] for f in observations.values()
                     if isinstance(f[ref], ox.NamedNode)}, key=lambda n: n.value)
    for values in _chunks(sentra):
        for row in _select(store, f"SELECT ?s ?y ?n ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ "
                                  f"?o <{ref}> ?s ; <{period}> ?y ; <{units}> ?n }} }}"):
            if row["g"].value not in ignored:  # type: ignore[union-attr]
                counts[(row["s"].value, row["y"].value)] = row["n"]  # type: ignore[union-attr,index]
    for f in observations.values():
        if units in f:
            counts[(f[ref].value, f[period].value)] = f[units]  # type: ignore[union-attr,assignment]
    for obs, f in observations.items():
        year = f[period].value  # type: ignore[union-attr]
        if not year.isdigit() or units not in f:
            continue
        previous = counts.get((f[ref].value, str(int(year) - 1)))  # type: ignore[union-attr]
        if previous is not None:
            yield ox.Triple(obs, ox.NamedNode(KLV + "previousUnitCount"), previous)  # type: ignore[arg-type]


# -- validation -----------------------------------------------------------------------------------

_SHAPES: rdflib.Graph | None = None
_CHECKS: tuple[shacl.Check, ...] | None = None


def shapes_graph() -> rdflib.Graph:
    """Every shape in ``shapes/*.ttl``, parsed once."""
    global _SHAPES
    if _SHAPES is None:
        graph = rdflib.Graph()
        for path in sorted(data_folder("shapes").glob("*.ttl")):
            graph.parse(path, format="turtle")
        _SHAPES = graph
    return _SHAPES


def compiled_checks() -> tuple[shacl.Check, ...]:
    """The shapes compiled into SPARQL checks (see :mod:`kg.shacl`), once."""
    global _CHECKS
    if _CHECKS is None:
        _CHECKS = shacl.compile_shapes(shapes_graph())
    return _CHECKS


def data_graph(triples: Iterable[ox.Triple]) -> rdflib.Graph:
    """The triples as an rdflib graph (for pySHACL, which the tests use as the reference engine)."""
    graph = rdflib.Graph()
    for t in triples:
        graph.add((_rdflib_term(t.subject), _rdflib_term(t.predicate), _rdflib_term(t.object)))
    return graph


def _rdflib_term(term: object) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    assert isinstance(term, ox.Literal)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language, normalize=False)
    if term.datatype.value == XSD_STRING:  # the same term in RDF 1.1; rdflib tells them apart
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value), normalize=False)


def report_to_json(report: ValidationReport, *, lang: str = "id") -> dict[str, object]:
    """The report as JSON (see :func:`kg.report.to_json`)."""
    from kg.report import to_json  # kg.report imports this module

    return to_json(report, lang=lang)


def validation_data(store: Store, submission: Submission, *, base_iri: str,
                    replaces: str | None = None) -> list[ox.Triple]:
    """The data graph that is validated: the submission plus the context it needs."""
    return [*submission.triples,
            *context_triples(store, submission, base_iri=base_iri, replaces=replaces)]


#: Data graphs larger than this (triples) are checked in a temporary store on disk, not in memory:
#: for a 100,000-row CSV (2.75 M triples with context) that keeps the peak at 1.6 GB, not 2.4 GB.
ON_DISK_ABOVE = 500_000
_LOAD_CHUNK = 200_000  # bulk loads of at most this many quads (one big load buffers them all)


@contextlib.contextmanager
def _work_store(triples: list[ox.Triple]) -> Iterator[ox.Store]:
    """The data graph in a pyoxigraph store: in memory, or in a temporary directory when large.

    Empties ``triples`` once they are loaded, so the context triples are freed during the checks."""
    folder = (tempfile.TemporaryDirectory(prefix="klaster-validate-")
              if len(triples) > ON_DISK_ABOVE else contextlib.nullcontext(None))
    with folder as path:
        work = ox.Store(path) if path else ox.Store()
        try:
            for start in range(0, len(triples), _LOAD_CHUNK):
                work.bulk_extend([ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                                  for t in triples[start:start + _LOAD_CHUNK]])
            triples.clear()
            yield work
        finally:
            del work


def validate_submission(store: Store, submission: Submission, *, base_iri: str,
                        replaces: str | None = None) -> ValidationReport:
    """Check ``submission`` against the shapes, with the context it references from ``store``."""
    data = validation_data(store, submission, base_iri=base_iri, replaces=replaces)
    findings = list(submission.notes)
    with _work_store(data) as work:
        findings.extend(_findings(shacl.run_checks(work, compiled_checks()), work, submission,
                                  base_iri))
        del work  # closed before its temporary directory is removed
    findings = _one_per_cell(findings)
    findings.sort(key=lambda f: (f.row or 0, SEVERITIES.index(f.severity), f.column or "",
                                 f.message.get("en", "")))
    conforms = not any(f.severity == "violation" for f in findings)
    return ValidationReport(conforms, tuple(findings))


#: When one cell breaks several constraints of one shape (same message), the one reported.
_PRIORITY = tuple(SH + c + "ConstraintComponent" for c in (
    "MinCount", "Datatype", "NodeKind", "Pattern", "Class", "In", "Node", "Or", "MaxCount"))


def _one_per_cell(findings: list[Finding]) -> list[Finding]:
    """Say each thing once: one row often gives several records the same cell (a sentra and its
    observation), one cell may break several constraints of a shape, and an advice about a cell that
    is already wrong (a latitude that is not a number is also "outside Indonesia") is noise."""
    def rank(f: Finding) -> int:
        return _PRIORITY.index(f.constraint) if f.constraint in _PRIORITY else len(_PRIORITY)

    def cell(f: Finding) -> tuple:
        return (f.row if f.row is not None else f.focus, f.column or f.path, f.value)

    kept: dict[tuple, Finding] = {}
    for f in sorted(findings, key=rank):
        kept.setdefault((*cell(f), f.message.get("en")), f)
    wrong = {cell(f) for f in kept.values() if f.severity == "violation" and f.value is not None}
    return [f for f in kept.values()
            if not (f.severity != "violation" and f.value is not None and cell(f) in wrong)]


def _term_text(term: object) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)) else str(term)


def _findings(results: Iterable[shacl.Result], work: ox.Store, submission: Submission,
              base_iri: str) -> Iterator[Finding]:
    schema = csvw.table_schema(submission.kind) if submission.kind else None
    columns = schema.columns_by_property() if schema else {}
    id_column = next((c.name for c in schema.data_columns if c.required), None) if schema else None
    rows_of: dict[str, list[int]] = {}
    for subject, row_number in submission.row_subjects:
        rows_of.setdefault(subject, []).append(row_number)
    for result in results:
        focus = _term_text(result.focus)
        path = result.path
        rows = rows_of.get(focus, [])
        column = columns.get(path) if path else None
        if path in (KLV + "row", KLV + "alreadyIn"):
            column = id_column
        value = result.value
        if value is None and path == KLV + "alreadyIn":  # sh:maxCount 0 names no value: the graph
            value = next((q.object for q in work.quads_for_pattern(
                result.focus, ox.NamedNode(path), None)), None)  # type: ignore[arg-type]
        shown = _display(value, base_iri, tabular=schema is not None and path != KLV + "alreadyIn")
        extra = {name: _term_text(term) for name, term in result.bindings.items()
                 if name not in ("this", "value", "path")}
        extra["rows"] = ", ".join(str(r) for r in rows)
        text = {lang: _fill(m, shown, value, extra) for lang, m in result.check.messages.items()}
        base = dict(severity=result.check.severity, message=text, focus=focus, path=path,
                    value=shown if path != KLV + "row" else None,
                    constraint=result.check.component, column=column,
                    shape=result.check.shape if not result.check.shape.startswith("n") else None)
        if path == KLV + "row" and len(rows) > 1:
            for repeated in rows[1:]:
                yield Finding(row=repeated, **base)  # type: ignore[arg-type]
        else:
            yield Finding(row=submission.subjects.get(focus), **base)  # type: ignore[arg-type]


def _display(value: object, base_iri: str, *, tabular: bool) -> str | None:
    """A value as the steward typed it: the code in a minted IRI, the text of a literal."""
    if value is None:
        return None
    text = _term_text(value)
    if tabular and isinstance(value, ox.NamedNode) and text.startswith(base_iri):
        return urllib.parse.unquote(text.rsplit("/", 1)[-1])
    return text


def _fill(message: str, shown: str | None, value: object, extra: dict[str, str]) -> str:
    text = _term_text(value) if value is not None else ""
    is_iri = isinstance(value, ox.NamedNode)
    parts = text.rstrip("/").split("/")
    code = urllib.parse.unquote(parts[-1]) if is_iri else text
    version = urllib.parse.unquote(parts[-2]) if is_iri and len(parts) > 1 else ""
    replacements = {"{?value}": shown or text, "{$value}": shown or text, "{?code}": code,
                    "{?version}": version, **{f"{{?{k}}}": v for k, v in extra.items()}}
    for placeholder, replacement in replacements.items():
        message = message.replace(placeholder, replacement)
    return message
