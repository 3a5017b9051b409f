"""The reference data as RDF: regions, KBLI 2020 concepts, cooperation areas, legal documents.

The bundled CSV files under ``kg/data/reference/`` (see ``SOURCES.md`` beside them) are turned into
triples using the vocabulary of the Klaster ontology; the caller loads them into the graph
``{base}graph/reference``. Only facts found in those files are stated, each dataset carries its
source and licence, and no closure is materialised here (``kl:within`` and the superclasses of the
region levels come from the reasoner).

Malformed rows raise :class:`ReferenceDataError` naming the file and the line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import BadRequest
from kg.namespaces import (DCAT, DCTERMS, FOAF, KL, ORG, OWL, RDF, RDFS, SKOS, TIME, VOID, WDT,
                           XSD, GRAPH_REFERENCE, graph_iri)
from kg.resources import package_data

#: The decree the region codes follow, and its amendment (relative to the base IRI).
CODE_DECREE = "dokumen/kepmendagri-300.2.2-2138-2025"
CODE_DECREE_AMENDMENT = "dokumen/kepmendagri-300.2.2-2430-2025"

REGION_SOURCE = "https://github.com/cahyadsn/wilayah"
KBLI_SOURCE = "https://oss.go.id/"
MIT_LICENSE = "http://spdx.org/licenses/MIT"

#: ``jenis`` in ``wilayah.csv`` → the most specific region class.
LEVEL_CLASSES: dict[str, str] = {
    "provinsi": "Province",
    "kabupaten": "Regency",
    "kota": "City",
    "kecamatan": "District",
    "desa": "Village",
    "kelurahan": "UrbanVillage",
    "desa_adat": "CustomaryVillage",
}

MEMBERSHIP_STATUSES: dict[str, str] = {"stated": "StatedMembership", "disputed": "DisputedMembership"}

_CODE = re.compile(r"\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?")
_VILLAGE_KINDS = {"1": "kelurahan", "2": "desa", "3": "desa_adat"}
_DOMAIN_SOURCE = re.compile(r"(?<![\w@/.-])((?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[^\s;,()]*)?)", re.I)


class ReferenceDataError(BadRequest):
    """A row of a reference CSV file is malformed."""

    title = "Malformed reference data"


@dataclass(frozen=True)
class RegionRow:
    """One row of ``wilayah.csv``: a region keyed by its Kemendagri code."""

    code: str
    name: str
    level: str
    parent: str | None
    line: int


# -- reading the CSV files ------------------------------------------------------------------------

def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a CSV file with the line each ends on."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            yield reader.line_num, row


def _fail(source: str, line: int, message: str) -> ReferenceDataError:
    return ReferenceDataError(f"{source}, line {line}: {message}", source=source, line=line)


def expected_level(code: str) -> set[str]:
    """The levels (``jenis`` values) a well-formed Kemendagri code can have."""
    parts = code.split(".")
    if len(parts) == 1:
        return {"provinsi"}
    if len(parts) == 2:
        number = int(parts[1])
        return {"kabupaten"} if 1 <= number <= 69 else {"kota"} if 71 <= number <= 99 else set()
    if len(parts) == 3:
        return {"kecamatan"}
    kind = _VILLAGE_KINDS.get(parts[3][0])
    return {kind} if kind else set()


def parse_region_row(row: Mapping[str, str | None], line: int, *,
                     source: str = "wilayah.csv") -> RegionRow:
    """Check one ``wilayah.csv`` row (code shape, level, parent code) and return it typed."""
    code = (row.get("kode") or "").strip()
    name = (row.get("nama") or "").strip()
    level = (row.get("jenis") or "").strip()
    parent = (row.get("induk") or "").strip() or None
    if not _CODE.fullmatch(code):
        raise _fail(source, line, f"malformed Kemendagri code {code!r} (expected e.g. 35, 35.15, "
                                  "35.15.18 or 35.15.18.2013)")
    if level not in LEVEL_CLASSES:
        raise _fail(source, line, f"unknown jenis {level!r} for {code} (expected one of "
                                  f"{', '.join(LEVEL_CLASSES)})")
    if level not in expected_level(code):
        raise _fail(source, line, f"jenis {level!r} does not fit the code {code} "
                                  f"(expected {' or '.join(sorted(expected_level(code))) or 'none'})")
    if not name:
        raise _fail(source, line, f"region {code} has no name")
    expected_parent = code.rpartition(".")[0] or None
    if parent != expected_parent:
        raise _fail(source, line, f"region {code} has parent {parent or '(none)'!s}, expected "
                                  f"{expected_parent or '(none)'}")
    return RegionRow(code, name, level, parent, line)


def read_regions(path: Path | None = None) -> list[RegionRow]:
    """All rows of ``wilayah.csv`` (the bundled one by default), each parent present in the file."""
    path = path or package_data("reference", "wilayah.csv")
    regions = [parse_region_row(row, line, source=path.name) for line, row in _rows(path)]
    codes: set[str] = set()
    for region in regions:
        if region.code in codes:
            raise _fail(path.name, region.line, f"duplicate region code {region.code}")
        codes.add(region.code)
    for region in regions:
        if region.parent is not None and region.parent not in codes:
            raise _fail(path.name, region.line,
                        f"parent {region.parent} of {region.code} is not in the file")
    return regions


def source_iris(text: str) -> list[str]:
    """The web addresses cited in a free-text ``sumber`` note, as https IRIs, in order.

    ``"seed article; suara.ngawikab.go.id/?p=2544"`` → ``["https://suara.ngawikab.go.id/?p=2544"]``;
    a bare domain gets a trailing slash (``oss.go.id`` → ``https://oss.go.id/``).
    """
    found: list[str] = []
    for match in _DOMAIN_SOURCE.finditer(text):
        address = match.group(1).rstrip(".")
        if "/" not in address:
            address += "/"
        iri = f"https://{address}"
        if iri not in found:
            found.append(iri)
    return found


def slug(name: str) -> str:
    """A lower-case, hyphenated IRI segment for a name (``Karisma Pawirogo`` → ``karisma-pawirogo``)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# -- building triples -----------------------------------------------------------------------------

class _Vocab:
    """Named nodes used again and again, built once per call."""

    def __init__(self) -> None:
        n = ox.NamedNode
        self.type = n(RDF + "type")
        self.label = n(RDFS + "label")
        self.comment = n(RDFS + "comment")
        self.pref_label = n(SKOS + "prefLabel")
        self.notation = n(SKOS + "notation")
        self.in_scheme = n(SKOS + "inScheme")
        self.concept = n(SKOS + "Concept")
        self.code = n(KL + "kemendagriCode")
        self.p2588 = n(WDT + "P2588")
        self.parent = n(KL + "parentRegion")
        self.code_version = n(KL + "codeVersion")
        self.population = n(KL + "population")
        self.area = n(KL + "areaKm2")
        self.source = n(DCTERMS + "source")
        self.identifier = n(DCTERMS + "identifier")
        self.title = n(DCTERMS + "title")
        self.description = n(DCTERMS + "description")
        self.integer = n(XSD + "integer")
        self.decimal = n(XSD + "decimal")
        self.classes = {level: n(KL + cls) for level, cls in LEVEL_CLASSES.items()}


def _text(value: str, language: str = "id") -> ox.Literal:
    return ox.Literal(value, language=language)


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(datatype))


def reference_triples(base_iri: str) -> Iterator[ox.Triple]:
    """Every triple of the reference graph, minted under ``base_iri`` (ends with ``/`` or ``#``)."""
    v = _Vocab()
    regions = read_regions()
    region_nodes = {r.code: ox.NamedNode(f"{base_iri}wilayah/{r.code}") for r in regions}
    yield from _region_triples(regions, region_nodes, base_iri, v)
    levels = {r.code: r.level for r in regions}
    yield from _statistics_triples(region_nodes, levels, v)
    yield from _kbli_triples(base_iri, v)
    yield from _kawasan_triples(base_iri, region_nodes, levels, v)
    yield from _legal_document_triples(base_iri, v)
    yield from _dataset_triples(base_iri, v)


def reference_quads(base_iri: str) -> Iterator[ox.Quad]:
    """:func:`reference_triples` placed in the graph ``{base}graph/reference``."""
    graph = ox.NamedNode(graph_iri(base_iri, GRAPH_REFERENCE))
    for t in reference_triples(base_iri):
        yield ox.Quad(t.subject, t.predicate, t.object, graph)


def _region_triples(regions: list[RegionRow], nodes: dict[str, ox.NamedNode], base_iri: str,
                    v: _Vocab) -> Iterator[ox.Triple]:
    Triple = ox.Triple
    decree = ox.NamedNode(base_iri + CODE_DECREE)
    for r in regions:
        s = nodes[r.code]
        name = ox.Literal(r.name, language="id")
        code = ox.Literal(r.code)
        yield Triple(s, v.type, v.classes[r.level])
        yield Triple(s, v.label, name)
        yield Triple(s, v.pref_label, name)
        yield Triple(s, v.notation, code)
        yield Triple(s, v.code, code)
        yield Triple(s, v.p2588, code)
        if r.parent is not None:
            yield Triple(s, v.parent, nodes[r.parent])
        yield Triple(s, v.code_version, decree)


def _statistics_triples(nodes: dict[str, ox.NamedNode], levels: dict[str, str],
                        v: _Vocab) -> Iterator[ox.Triple]:
    """Population (Dukcapil, Dec 2024) and area (BIG, 2024) of provinces and kabupaten/kota.

    The national row (code ``0``) is not a region in the ontology: its totals are quoted in the
    description of ``dataset/wilayah`` instead.
    """
    path = package_data("reference", "wilayah-penduduk-luas.csv")
    for line, row in _rows(path):
        code = (row.get("kode") or "").strip()
        if code == "0":
            continue
        if levels.get(code) not in {"provinsi", "kabupaten", "kota"}:
            raise _fail(path.name, line, f"{code!r} is not a province, kabupaten or kota code")
        population = (row.get("penduduk_total") or "").strip()
        area = (row.get("luas_km2") or "").strip()
        if population:
            if not population.isdigit():
                raise _fail(path.name, line, f"penduduk_total {population!r} is not a whole number")
            yield ox.Triple(nodes[code], v.population, ox.Literal(population, datatype=v.integer))
        if area:
            if not re.fullmatch(r"\d+(?:\.\d+)?", area):
                raise _fail(path.name, line, f"luas_km2 {area!r} is not a decimal number")
            yield ox.Triple(nodes[code], v.area, ox.Literal(area, datatype=v.decimal))


def national_totals() -> dict[str, str]:
    """The row for Indonesia (code ``0``) of ``wilayah-penduduk-luas.csv``, or an empty dict."""
    for _, row in _rows(package_data("reference", "wilayah-penduduk-luas.csv")):
        if (row.get("kode") or "").strip() == "0":
            return row
    return {}


def _sources(subject: ox.NamedNode, note: str, v: _Vocab, prefix: str) -> Iterator[ox.Triple]:
    """dcterms:source for every address in ``note``, and the note itself as an English comment."""
    for iri in source_iris(note):
        yield ox.Triple(subject, v.source, ox.NamedNode(iri))
    yield ox.Triple(subject, v.comment, _text(f"{prefix}{note}", "en"))


def _kbli_triples(base_iri: str, v: _Vocab) -> Iterator[ox.Triple]:
    path = package_data("reference", "kbli2020-subset.csv")
    scheme = ox.NamedNode(f"{base_iri}skema/kbli-2020")
    T = ox.Triple
    yield T(scheme, v.type, ox.NamedNode(SKOS + "ConceptScheme"))
    yield T(scheme, v.label, _text("KBLI 2020"))
    yield T(scheme, v.pref_label, _text("KBLI 2020"))
    yield T(scheme, v.title, _text("Klasifikasi Baku Lapangan Usaha Indonesia 2020 (subset)"))
    yield T(scheme, ox.NamedNode(OWL + "versionInfo"), ox.Literal("KBLI 2020"))
    yield T(scheme, v.source, ox.NamedNode(KBLI_SOURCE))
    yield T(scheme, v.comment, _text(
        "The five-digit KBLI 2020 classes used by the sample data, as published on oss.go.id. "
        "KBLI 2025 exists (Peraturan BPS No. 7 Tahun 2025): codes are always stored with their "
        "version.", "en"))
    industry_class = ox.NamedNode(KL + "IndustryClass")
    version_property = ox.NamedNode(KL + "classificationVersion")
    for line, row in _rows(path):
        code = (row.get("kode") or "").strip()
        title = (row.get("judul") or "").strip()
        version = (row.get("versi") or "").strip()
        if not re.fullmatch(r"\d{5}", code):
            raise _fail(path.name, line, f"malformed KBLI code {code!r} (expected five digits)")
        if version != "KBLI 2020":
            raise _fail(path.name, line, f"version {version!r} is not 'KBLI 2020'")
        if not title:
            raise _fail(path.name, line, f"KBLI {code} has no title")
        s = ox.NamedNode(f"{base_iri}kbli/2020/{code}")
        yield T(s, v.type, industry_class)
        yield T(s, v.type, v.concept)
        yield T(s, v.notation, ox.Literal(code))
        yield T(s, v.pref_label, _text(title))
        yield T(s, v.label, _text(title))
        yield T(s, v.in_scheme, scheme)
        yield T(s, version_property, ox.Literal(version))
        yield from _sources(s, (row.get("sumber") or "").strip(), v, "Source: ")


def _kawasan_triples(base_iri: str, region_nodes: dict[str, ox.NamedNode],
                     levels: dict[str, str], v: _Vocab) -> Iterator[ox.Triple]:
    path = package_data("reference", "kawasan.csv")
    T = ox.Triple
    area_class = ox.NamedNode(KL + "CooperationArea")
    membership_class = ox.NamedNode(KL + "CooperationMembership")
    organization = ox.NamedNode(ORG + "organization")
    member_region = ox.NamedNode(KL + "memberRegion")
    status_property = ox.NamedNode(KL + "membershipStatus")
    member_during = ox.NamedNode(ORG + "memberDuring")
    has_beginning = ox.NamedNode(TIME + "hasBeginning")
    areas: dict[str, ox.NamedNode] = {}
    area_sources: dict[str, list[str]] = {}
    for line, row in _rows(path):
        area_name = (row.get("kawasan") or "").strip()
        code = (row.get("anggota_kode") or "").strip()
        member_name = (row.get("anggota_nama") or "").strip()
        since = (row.get("sejak") or "").strip()
        status = (row.get("status_keanggotaan") or "").strip()
        note = (row.get("sumber") or "").strip()
        if not area_name:
            raise _fail(path.name, line, "no kawasan name")
        if levels.get(code) not in {"kabupaten", "kota"}:
            raise _fail(path.name, line, f"member {code!r} is not a kabupaten/kota code")
        if status not in MEMBERSHIP_STATUSES:
            raise _fail(path.name, line, f"unknown status_keanggotaan {status!r} (expected "
                                         f"{' or '.join(MEMBERSHIP_STATUSES)})")
        area_slug = slug(area_name)
        area = areas.get(area_slug)
        if area is None:
            area = areas[area_slug] = ox.NamedNode(f"{base_iri}kawasan/{area_slug}")
            area_sources[area_slug] = []
            yield T(area, v.type, area_class)
            yield T(area, v.label, _text(area_name))
            yield T(area, v.pref_label, _text(area_name))  # ORG recommends skos:prefLabel
        for iri in source_iris(note):
            if iri not in area_sources[area_slug]:
                area_sources[area_slug].append(iri)
                yield T(area, v.source, ox.NamedNode(iri))
        m = ox.NamedNode(f"{base_iri}kawasan/{area_slug}/anggota/{code}")
        yield T(m, v.type, membership_class)
        yield T(m, v.label, _text(f"{member_name or code} sebagai anggota {area_name}"))
        yield T(m, organization, area)
        yield T(m, member_region, region_nodes[code])
        yield T(m, status_property, ox.NamedNode(KL + MEMBERSHIP_STATUSES[status]))
        if since:
            yield from _interval(m, since, path.name, line, member_during, has_beginning, v)
        yield from _sources(m, note, v, f"{member_name or code} in {area_name} ({status}); sources: ")


def _interval(membership: ox.NamedNode, since: str, source: str, line: int,
              member_during: ox.NamedNode, has_beginning: ox.NamedNode,
              v: _Vocab) -> Iterator[ox.Triple]:
    """``org:memberDuring`` an open interval beginning in the year or on the date ``since``."""
    if re.fullmatch(r"\d{4}", since):
        stamp = (ox.NamedNode(TIME + "inXSDgYear"), _typed(since, XSD + "gYear"))
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
        stamp = (ox.NamedNode(TIME + "inXSDDate"), _typed(since, XSD + "date"))
    else:
        raise _fail(source, line, f"sejak {since!r} is neither a year nor a date (YYYY-MM-DD)")
    interval = ox.NamedNode(membership.value + "#masa")
    start = ox.NamedNode(membership.value + "#mulai")
    yield ox.Triple(membership, member_during, interval)
    yield ox.Triple(interval, v.type, ox.NamedNode(TIME + "Interval"))
    yield ox.Triple(interval, has_beginning, start)
    yield ox.Triple(start, v.type, ox.NamedNode(TIME + "Instant"))
    yield ox.Triple(start, *stamp)


#: (IRI relative to the base, identifier, Indonesian label, English comment)
LEGAL_DOCUMENTS: tuple[tuple[str, str, str, str], ...] = (
    (CODE_DECREE, "Kepmendagri No. 300.2.2-2138 Tahun 2025",
     "Keputusan Menteri Dalam Negeri Nomor 300.2.2-2138 Tahun 2025",
     "Decree of the Minister of Home Affairs of 25 April 2025 giving the official codes and names "
     "of Indonesia's administrative regions; the version of every Kemendagri region code here."),
    (CODE_DECREE_AMENDMENT, "Kepmendagri No. 300.2.2-2430 Tahun 2025",
     "Keputusan Menteri Dalam Negeri Nomor 300.2.2-2430 Tahun 2025",
     "Amendment to Kepmendagri No. 300.2.2-2138 Tahun 2025 (region codes and names)."),
    ("dokumen/pp-7-2021", "PP No. 7 Tahun 2021", "Peraturan Pemerintah Nomor 7 Tahun 2021",
     "Government Regulation 7/2021; Art. 35-36 set the UMKM size classes by start-up capital "
     "(excluding land and buildings) and by annual sales."),
    ("dokumen/pp-29-2018", "PP No. 29 Tahun 2018", "Peraturan Pemerintah Nomor 29 Tahun 2018",
     "Government Regulation 29/2018; Art. 1 defines a sentra IKM as at least 5 small/medium "
     "industry units in one location making similar products."),
)


def _legal_document_triples(base_iri: str, v: _Vocab) -> Iterator[ox.Triple]:
    T = ox.Triple
    legal_document = ox.NamedNode(KL + "LegalDocument")
    for path, identifier, label, comment in LEGAL_DOCUMENTS:
        s = ox.NamedNode(base_iri + path)
        yield T(s, v.type, legal_document)
        yield T(s, v.label, _text(label))
        yield T(s, v.title, _text(label))
        yield T(s, v.identifier, ox.Literal(identifier))
        yield T(s, v.comment, _text(comment, "en"))
    decree = ox.NamedNode(base_iri + CODE_DECREE)
    amendment = ox.NamedNode(base_iri + CODE_DECREE_AMENDMENT)
    yield T(decree, ox.NamedNode(DCTERMS + "issued"), _typed("2025-04-25", XSD + "date"))
    yield T(amendment, ox.NamedNode(DCTERMS + "references"), decree)
    yield T(decree, v.source, ox.NamedNode(REGION_SOURCE))


def _dataset_triples(base_iri: str, v: _Vocab) -> Iterator[ox.Triple]:
    T = ox.Triple
    totals = national_totals()
    national = ""
    if totals.get("penduduk_total"):
        national = (f" Indonesia as a whole: population {int(totals['penduduk_total']):,} "
                    "(Dukcapil, December 2024); the nation is not a region resource.")
    author = ox.NamedNode("https://github.com/cahyadsn")
    datasets = (
        ("wilayah", "Wilayah administrasi Indonesia (Kepmendagri 300.2.2-2138/2025)",
         "Indonesian administrative regions (Kepmendagri 300.2.2-2138/2025)",
         "All 91,599 regions with their Kemendagri codes, names, levels and parents, extracted from "
         "db/wilayah.sql of github.com/cahyadsn/wilayah (MIT licence, Copyright (c) Cahya DSN), which "
         "follows Kepmendagri No. 300.2.2-2138 Tahun 2025 as amended by No. 300.2.2-2430 Tahun 2025. "
         "Population of provinces and kabupaten/kota from Dukcapil (semester II, December 2024) and "
         "area in km2 from Badan Informasi Geospasial (letter B-16.10/DIGD-BIG/IGD.04.04/12/2024), "
         "from db/wilayah_penduduk.sql and db/wilayah_luas.sql of the same repository." + national,
         [REGION_SOURCE], f"{base_iri}wilayah/35.15.18.2013"),
        ("kbli", "KBLI 2020 (subset)", "KBLI 2020 industry classes (subset)",
         "The KBLI 2020 five-digit classes used by the sample data, with their titles, from oss.go.id "
         "as scraped in github.com/UserGhost411/KBLI-2020-Dataset.",
         [KBLI_SOURCE, "https://github.com/UserGhost411/KBLI-2020-Dataset"],
         f"{base_iri}kbli/2020/15201"),
        ("kawasan", "Kawasan kerja sama antardaerah", "Inter-regional cooperation areas",
         "Members of the cooperation areas Karisma Pawirogo, Ratubangnegoro and Grebang "
         "Ratubangnegoro Kertowilangan, each membership with its sources; Nganjuk and Kediri are "
         "disputed between sources.",
         _kawasan_dataset_sources(), f"{base_iri}kawasan/karisma-pawirogo"),
    )
    for name, title_id, title_en, description, sources, example in datasets:
        s = ox.NamedNode(f"{base_iri}dataset/{name}")
        yield T(s, v.type, ox.NamedNode(DCAT + "Dataset"))
        yield T(s, v.type, ox.NamedNode(VOID + "Dataset"))
        yield T(s, v.label, _text(title_id))
        yield T(s, v.title, _text(title_id))
        yield T(s, v.title, _text(title_en, "en"))
        yield T(s, v.description, _text(description, "en"))
        for iri in sources:
            yield T(s, v.source, ox.NamedNode(iri))
        yield T(s, ox.NamedNode(VOID + "exampleResource"), ox.NamedNode(example))
    wilayah = ox.NamedNode(f"{base_iri}dataset/wilayah")
    yield T(wilayah, ox.NamedNode(DCTERMS + "license"), ox.NamedNode(MIT_LICENSE))
    yield T(wilayah, ox.NamedNode(DCTERMS + "rights"), _text("Copyright (c) Cahya DSN. MIT licence.", "en"))
    yield T(wilayah, ox.NamedNode(DCTERMS + "rightsHolder"), author)
    yield T(wilayah, ox.NamedNode(VOID + "uriSpace"), ox.Literal(f"{base_iri}wilayah/"))
    yield T(wilayah, ox.NamedNode(DCTERMS + "references"), ox.NamedNode(base_iri + CODE_DECREE))
    yield T(author, v.type, ox.NamedNode(FOAF + "Agent"))
    yield T(author, ox.NamedNode(FOAF + "name"), ox.Literal("Cahya DSN"))
    yield T(author, v.label, ox.Literal("Cahya DSN"))
    for name in ("kbli", "kawasan"):
        yield T(ox.NamedNode(f"{base_iri}dataset/{name}"), ox.NamedNode(DCTERMS + "rights"),
                _text("Facts compiled from the public pages given as dcterms:source; no licence is "
                      "stated by those sources.", "en"))


def _kawasan_dataset_sources() -> list[str]:
    found: list[str] = []
    for _, row in _rows(package_data("reference", "kawasan.csv")):
        for iri in source_iris(row.get("sumber") or ""):
            if iri not in found:
                found.append(iri)
    return found

