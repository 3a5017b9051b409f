"""Pick lists for the parameters of the canned questions (the forms of the web interface).

A parameter gets its choices from, in order: its ``enum``; its own ``values_query``; the
``values_query`` of a parameter with the same name and type in another question (so ``sentra`` of
``linkages`` offers the same list as ``sentra`` of ``technology-partners``); for ``region``
parameters, the provinces (``province``) or the provinces and kabupaten/kota that hold a sentra.
Region lists are suggestions (an HTML ``datalist``): any Kemendagri code stays valid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kg.params import Param
from kg.questions import Question, list_values
from kg.store import Store

#: Most options a pick list offers; a longer list becomes a text field with suggestions.
MAX_CHOICES = 500

REGIONS_QUERY = """\
PREFIX kl: <https://w3id.org/klaster/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?value (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?code) (MIN(?level) AS ?rank)
WHERE {
  ?sentra a kl:Sentra ; kl:within ?value .
  { ?value a kl:Province BIND(0 AS ?level) } UNION { ?value a kl:RegencyOrCity BIND(1 AS ?level) }
  OPTIONAL { ?value rdfs:label ?l }
  OPTIONAL { ?value skos:notation ?c }
}
GROUP BY ?value
ORDER BY ?code
"""


@dataclass(frozen=True)
class Choices:
    """The options of one parameter: ``strict`` ones make a ``<select>``, others a ``datalist``."""

    options: tuple[tuple[str, str], ...]   # (value, label)
    strict: bool


def _donor(param: Param, questions: Iterable[Question]) -> Param | None:
    for question in questions:
        for other in question.params:
            if other.name == param.name and other.type == param.type and other.values_query:
                return other
    return None


def _compact(value: str, base_iri: str) -> str:
    return "id:" + value[len(base_iri):] if value.startswith(base_iri) else value


def region_options(store: Store, *, provinces_only: bool = False) -> tuple[tuple[str, str], ...]:
    """Provinces and kabupaten/kota holding a sentra, as (Kemendagri code, "code label")."""
    result = store.query(REGIONS_QUERY)
    out = []
    for solution in result:  # type: ignore[union-attr]
        code, label, rank = solution["code"], solution["label"], solution["rank"]
        if code is None or (provinces_only and rank is not None and rank.value != "0"):
            continue
        out.append((code.value, f"{code.value} {label.value if label is not None else ''}".strip()))
    return tuple(out)


def choices_for(store: Store, question: Question, param: Param, questions: Iterable[Question], *,
                base_iri: str) -> Choices | None:
    """The pick list of ``param`` of ``question``, or None when its values are not enumerable."""
    if param.enum:
        return Choices(tuple((v, v) for v in param.enum), True)
    donor = param if param.values_query else _donor(param, questions)
    if donor is not None:
        values = list_values(store, donor, limit=MAX_CHOICES + 1)
        options = tuple((_compact(v, base_iri), label) for v, label in values[:MAX_CHOICES])
        return Choices(options, len(values) <= MAX_CHOICES)
    if param.type == "region":
        return Choices(region_options(store, provinces_only=param.name == "province"), False)
    return None
