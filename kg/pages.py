"""The data behind the Linked Data pages people read: sentra, region, cooperation area, concept.

Each page starts from :func:`kg.describe.describe` and adds the answers of the canned questions
(:func:`kg.questions.run_question`), so a page shows exactly what ``/api/{name}`` answers. Only
what no question answers (a sentra's yearly unit counts, a cooperation area's memberships) is a
small query of its own, with the resource bound as a term. Questions run concurrently, so a sentra
page costs about as long as its slowest question.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.describe import Description, describe, fetch_labels
from kg.errors import KlasterError
from kg.namespaces import KL, ORG, SKOS, WDT
from kg.questions import Question, ResultTable, run_question
from kg.store import Store

SENTRA_QUESTIONS = ("technology-partners", "skill-partners", "financing-partners",
                    "supply-partners", "linkages", "interventions")
PARTNER_LIMIT = 5

#: Which page a resource gets, by its most specific type.
KIND_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sentra", (KL + "Sentra",)),
    ("region", (KL + "Region",)),
    ("kawasan", (KL + "CooperationArea",)),
    ("concept", (KL + "Technology", KL + "Skill", KL + "Product", KL + "IndustryClass",
                 KL + "FinancingSource", KL + "FinancingScheme", SKOS + "Concept")),
)

#: Predicates by which a sentra (or enterprise) uses a concept.
CONCEPT_USES = (KL + "produces", KL + "needsInput", KL + "usesTechnology", KL + "needsSkill",
                KL + "financedBy", KL + "usesFinancingScheme", KL + "industryCode")

_LEVELS = {KL + "RegencyOrCity": "kabupaten_kota", KL + "District": "kecamatan"}

_UNITS_QUERY = f"""
SELECT ?sentra ?year (SUM(?units) AS ?unit_count) (MAX(?ill) AS ?illustrative) WHERE {{
  ?obs <{KL}refSentra> ?sentra ; <{KL}refPeriod> ?period ; <{KL}unitCount> ?units .
  OPTIONAL {{ ?obs <{KL}isIllustrative> ?i }}
  BIND(STR(?period) AS ?year) BIND(COALESCE(?i, false) AS ?ill)
}} GROUP BY ?sentra ?year ORDER BY ?year
"""

_MEMBERS_QUERY = f"""
SELECT ?area ?membership ?region ?status WHERE {{
  ?membership <{ORG}organization> ?area ; <{KL}memberRegion> ?region .
  OPTIONAL {{ ?membership <{KL}membershipStatus> ?status }}
}} ORDER BY ?region
"""


@dataclass(frozen=True)
class YearCount:
    year: str
    units: int
    illustrative: bool


@dataclass(frozen=True)
class Member:
    region: str
    membership: str
    status: str | None


@dataclass(frozen=True)
class Page:
    """A resource's description and what its page adds, by kind."""

    kind: str  # sentra, region, kawasan, concept or resource
    description: Description
    answers: dict[str, ResultTable] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    units: tuple[YearCount, ...] = ()
    members: tuple[Member, ...] = ()
    specialisations: tuple[dict[str, object], ...] = ()
    sub_regions: tuple[str, ...] = ()
    users: tuple[tuple[str, str], ...] = ()  # (predicate, subject) of concept users
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # extra labels

    def label(self, iri: str, lang: str = "id") -> str:
        from kg.describe import label_of
        merged = {**self.labels, **self.description.labels}
        return label_of(merged, iri, lang)


def kind_of(description: Description) -> str:
    for kind, types in KIND_TYPES:
        if description.has_type(*types):
            return kind
    return "resource"


class _Asker:
    """Runs canned questions for one page, keeping an error instead of failing the page."""

    def __init__(self, store: Store, questions: Mapping[str, Question], base_iri: str) -> None:
        self.store, self.questions, self.base_iri = store, questions, base_iri
        self.answers: dict[str, ResultTable] = {}
        self.errors: dict[str, str] = {}

    def ask(self, key: str, name: str, params: Mapping[str, object]) -> ResultTable | None:
        try:
            table = run_question(self.store, self.questions[name], params, base_iri=self.base_iri)
        except (KlasterError, KeyError) as exc:
            self.errors[key] = getattr(exc, "detail", str(exc))
            return None
        self.answers[key] = table
        return table

    def ask_all(self, calls: list[tuple[str, str, Mapping[str, object]]]) -> None:
        with ThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(lambda call: self.ask(*call), calls))


def build_page(store: Store, iri: str, questions: Mapping[str, Question], *,
               base_iri: str) -> Page:
    """The page of ``iri``; raises :class:`~kg.errors.NotFound` for an unknown resource."""
    description = describe(store, iri)
    kind = kind_of(description)
    asker = _Asker(store, questions, base_iri)
    if kind == "sentra":
        return _sentra_page(store, description, asker)
    if kind == "region":
        return _region_page(description, asker)
    if kind == "kawasan":
        return _kawasan_page(store, description, asker)
    if kind == "concept":
        users = tuple((t.predicate.value, t.subject.value) for t in description.incoming
                      if t.predicate.value in CONCEPT_USES and isinstance(t.subject, ox.NamedNode))
        return Page(kind, description, users=users)
    return Page(kind, description)


def _sentra_page(store: Store, description: Description, asker: _Asker) -> Page:
    iri = description.iri
    calls = [(name, name, {"sentra": iri, "limit": PARTNER_LIMIT})
             for name in SENTRA_QUESTIONS[:4]]
    calls += [("linkages", "linkages", {"sentra": iri, "limit": 100}),
              ("interventions", "interventions", {"sentra": iri, "limit": 100})]
    asker.ask_all(calls)
    units: list[YearCount] = []
    for row in store.query(_UNITS_QUERY, bindings={"sentra": ox.NamedNode(iri)}):  # type: ignore[union-attr]
        if row["year"] is None or row["unit_count"] is None:
            continue
        units.append(YearCount(row["year"].value, int(float(row["unit_count"].value)),
                               row["illustrative"] is not None
                               and row["illustrative"].value in ("true", "1")))
    return Page("sentra", description, asker.answers, asker.errors, units=tuple(units))


def _region_page(description: Description, asker: _Asker) -> Page:
    iri = description.iri
    sub_regions = tuple(sorted(o.value for o in description.values(KL + "hasSubRegion")
                               if isinstance(o, ox.NamedNode)))
    table = asker.ask("sentra-in-region", "sentra-in-region", {"region": iri, "limit": 500})
    level = next((lvl for t, lvl in _LEVELS.items() if description.has_type(t)), None)
    specialisations: list[dict[str, object]] = []
    if table is not None and level is not None:
        codes = sorted({code.strip() for row in table.records()
                        for code in str(row.get("industry_codes") or "").replace(";", " ").split()
                        if code.strip()})
        calls = [(f"specialisation {code}", "specialisation",
                  {"commodity": code, "level": level, "limit": 10000}) for code in codes]
        asker.ask_all(calls)
        for code in codes:
            answer = asker.answers.get(f"specialisation {code}")
            for row in answer.records() if answer else []:
                if row.get("region") == iri:
                    specialisations.append({"commodity": code, **row})
    answers = {k: v for k, v in asker.answers.items() if not k.startswith("specialisation ")}
    return Page("region", description, answers, asker.errors, sub_regions=sub_regions,
                specialisations=tuple(specialisations))


def _kawasan_page(store: Store, description: Description, asker: _Asker) -> Page:
    iri = description.iri
    members = []
    for row in store.query(_MEMBERS_QUERY, bindings={"area": ox.NamedNode(iri)}):  # type: ignore[union-attr]
        status = row["status"].value if row["status"] is not None else None
        members.append(Member(row["region"].value, row["membership"].value, status))
    asker.ask("corridor", "corridor", {"kawasan": iri, "limit": 500})
    extra = fetch_labels(store, {m.region for m in members} | {m.status for m in members if m.status})
    return Page("kawasan", description, asker.answers, asker.errors, members=tuple(members),
                labels=extra)


def kemendagri_codes(description: Description) -> list[str]:
    """The region's code as Wikidata stores it (``wdt:P2588``), the join key for other agencies."""
    return [o.value for o in description.values(WDT + "P2588") if isinstance(o, ox.Literal)]
