"""Rendering a :class:`~kg.validate.ValidationReport`: JSON, Turtle (``sh:ValidationReport``),
a printable HTML page and plain text, in Indonesian (default) or English."""

from __future__ import annotations

import html
import json

import pyoxigraph as ox

from kg.namespaces import SH, XSD
from kg.validate import SEVERITIES, Finding, Submission, ValidationReport

LANGUAGES = ("id", "en")
CSVW = "http://www.w3.org/ns/csvw#"

_LABELS = {
    "id": {"violation": "pelanggaran", "warning": "peringatan", "info": "info",
           "row": "baris", "column": "kolom", "value": "nilai", "severity": "tingkat",
           "message": "pesan", "title": "Laporan validasi", "conforms": "Data memenuhi semua aturan wajib.",
           "fails": "Data belum dapat diterima: perbaiki pelanggaran di bawah ini.",
           "file": "berkas", "kind": "jenis templat", "checksum": "checksum SHA-256", "none": "Tidak ada temuan."},
    "en": {"violation": "violation", "warning": "warning", "info": "info",
           "row": "row", "column": "column", "value": "value", "severity": "severity",
           "message": "message", "title": "Validation report", "conforms": "The data meets every required rule.",
           "fails": "The data cannot be accepted yet: fix the violations below.",
           "file": "file", "kind": "template", "checksum": "SHA-256 checksum", "none": "No findings."},
}
_SEVERITY_IRI = {"violation": SH + "Violation", "warning": SH + "Warning", "info": SH + "Info"}


def language(accept_language: str | None) -> str:
    """``id`` or ``en`` from an ``Accept-Language`` header (Indonesian by default)."""
    best, best_q = "id", -1.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        code = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if code in LANGUAGES and q > best_q:
            best, best_q = code, q
    return best


def finding_dict(finding: Finding, lang: str) -> dict[str, object]:
    return {"severity": finding.severity, "row": finding.row, "column": finding.column,
            "value": finding.value, "message": finding.text(lang), "messages": dict(finding.message),
            "focus": finding.focus, "path": finding.path, "constraint": finding.constraint}


def to_json(report: ValidationReport, *, lang: str = "id",
            submission: Submission | None = None) -> dict[str, object]:
    body: dict[str, object] = {"conforms": report.conforms, "counts": report.counts(), "language": lang}
    if submission is not None:
        body.update({"kind": submission.kind, "filename": submission.filename,
                     "media_type": submission.media_type, "checksum": submission.checksum,
                     "triples": len(submission.triples)})
    body["findings"] = [finding_dict(f, lang) for f in report.findings]
    return body


def to_json_text(report: ValidationReport, *, lang: str = "id",
                 submission: Submission | None = None) -> str:
    return json.dumps(to_json(report, lang=lang, submission=submission), ensure_ascii=False, indent=2)


def report_triples(report: ValidationReport) -> list[ox.Triple]:
    """The report as a SHACL ``sh:ValidationReport`` (rows and columns as ``csvw:rownum``/``csvw:name``)."""
    T, N, L = ox.Triple, ox.NamedNode, ox.Literal
    rdf_type = N("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    root = ox.BlankNode()
    out = [T(root, rdf_type, N(SH + "ValidationReport")),
           T(root, N(SH + "conforms"), L("true" if report.conforms else "false",
                                          datatype=N(XSD + "boolean")))]
    for finding in report.findings:
        node = ox.BlankNode()
        out += [T(root, N(SH + "result"), node), T(node, rdf_type, N(SH + "ValidationResult")),
                T(node, N(SH + "resultSeverity"), N(_SEVERITY_IRI[finding.severity]))]
        out += [T(node, N(SH + "resultMessage"), L(text, language=lang))
                for lang, text in finding.message.items()]
        if finding.focus:
            out.append(T(node, N(SH + "focusNode"), _term(finding.focus)))
        if finding.path:
            out.append(T(node, N(SH + "resultPath"), N(finding.path)))
        if finding.value is not None:
            out.append(T(node, N(SH + "value"), L(finding.value)))
        if finding.constraint:
            out.append(T(node, N(SH + "sourceConstraintComponent"), N(finding.constraint)))
        if finding.shape:
            out.append(T(node, N(SH + "sourceShape"), N(finding.shape)))
        if finding.row is not None:
            out.append(T(node, N(CSVW + "rownum"), L(str(finding.row), datatype=N(XSD + "integer"))))
        if finding.column:
            out.append(T(node, N(CSVW + "name"), L(finding.column)))
    return out


def _term(text: str) -> ox.NamedNode | ox.Literal:
    try:
        return ox.NamedNode(text)
    except ValueError:
        return ox.Literal(text)


def to_turtle(report: ValidationReport) -> bytes:
    return ox.serialize(report_triples(report), format=ox.RdfFormat.TURTLE,
                        prefixes={"sh": SH, "csvw": CSVW, "xsd": XSD})


def to_text(report: ValidationReport, *, lang: str = "id", submission: Submission | None = None) -> str:
    labels = _LABELS[lang]
    lines = []
    if submission is not None:
        lines.append(f"{labels['file']}: {submission.filename or '-'}  {labels['kind']}: "
                     f"{submission.kind or '-'}")
    lines.append(labels["conforms"] if report.conforms else labels["fails"])
    counts = report.counts()
    lines.append(", ".join(f"{counts[s]} {labels[s]}" for s in SEVERITIES))
    for f in report.findings:
        where = []
        if f.row is not None:
            where.append(f"{labels['row']} {f.row}")
        if f.column:
            where.append(f"{labels['column']} {f.column}")
        if not where and f.focus:
            where.append(f.focus)
        value = f" [{labels['value']}: {f.value}]" if f.value not in (None, "") else ""
        lines.append(f"{labels[f.severity].upper()}: {', '.join(where)}: {f.text(lang)}{value}")
    return "\n".join(lines) + "\n"


def to_html(report: ValidationReport, *, lang: str = "id", submission: Submission | None = None) -> str:
    """A self-contained page a steward can read and print."""
    labels = _LABELS[lang]
    e = html.escape
    counts = report.counts()
    rows = []
    for f in report.findings:
        rows.append(
            f'<tr class="{e(f.severity)}"><td>{e(labels[f.severity])}</td>'
            f'<td>{"" if f.row is None else f.row}</td><td>{e(f.column or "")}</td>'
            f'<td><code>{e(f.value or "")}</code></td><td>{e(f.text(lang))}'
            + ("" if f.row is not None or not f.focus else f'<br><small>{e(f.focus)}</small>')
            + "</td></tr>")
    meta = ""
    if submission is not None:
        meta = (f"<dl><dt>{labels['file']}</dt><dd>{e(submission.filename or '-')}</dd>"
                f"<dt>{labels['kind']}</dt><dd>{e(submission.kind or '-')}</dd>"
                f"<dt>{labels['checksum']}</dt><dd><code>{e(submission.checksum)}</code></dd></dl>")
    table = (f"<table><thead><tr><th>{labels['severity']}</th><th>{labels['row']}</th>"
             f"<th>{labels['column']}</th><th>{labels['value']}</th><th>{labels['message']}</th></tr>"
             f"</thead><tbody>{''.join(rows)}</tbody></table>") if rows else f"<p>{labels['none']}</p>"
    summary = " · ".join(f"{counts[s]} {labels[s]}" for s in SEVERITIES)
    status = "ok" if report.conforms else "fail"
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{labels['title']}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2rem;color:#222}} table{{border-collapse:collapse;width:100%}}
th,td{{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}}
tr.violation td:first-child{{color:#a00;font-weight:bold}} tr.warning td:first-child{{color:#a60}}
p.ok{{color:#070;font-weight:bold}} p.fail{{color:#a00;font-weight:bold}}
dl{{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}} dd{{margin:0}}
@media print{{body{{margin:0}} tr{{page-break-inside:avoid}}}}
</style></head><body>
<h1>{labels['title']}</h1>{meta}
<p class="{status}">{labels['conforms'] if report.conforms else labels['fails']}</p>
<p>{summary}</p>
{table}
</body></html>
"""
