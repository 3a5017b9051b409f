"""What the store says about one resource: its triples, its incoming links, and labels.

:func:`describe` answers ``GET /id/{path}``: the triples whose subject is the resource, the triples
that point at it (capped: a province is the object of thousands of ``kl:within`` triples), and the
Indonesian and English labels of every IRI the page mentions (predicates, objects, subjects of
incoming links, types). It runs two SPARQL queries: one for both directions, one for the labels.
The resource IRI is bound as an RDF term, never pasted into query text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import NotFound
from kg.namespaces import DCTERMS, KL, RDF, RDFS, SKOS, XSD
from kg.store import Store

#: Incoming links kept in a description (the rest are counted, not listed).
MAX_INCOMING = 500

_TRIPLES_QUERY = f"""
SELECT ?r ?dir ?s ?p ?o WHERE {{
  {{ ?r ?p ?o . BIND("out" AS ?dir) BIND(?r AS ?s) }}
  UNION
  {{ ?s ?p ?r . BIND("in" AS ?dir) BIND(?r AS ?o) FILTER(?p != <{KL}within>) }}
}}
"""

_LABEL_PREDICATES = (RDFS + "label", SKOS + "prefLabel")


@dataclass(frozen=True)
class Description:
    """One resource as the store describes it."""

    iri: str
    outgoing: tuple[ox.Triple, ...]
    incoming: tuple[ox.Triple, ...]
    incoming_truncated: bool
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # iri -> {lang: label}

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(t.object.value for t in self.outgoing
                     if t.predicate.value == RDF + "type" and isinstance(t.object, ox.NamedNode))

    def values(self, predicate: str) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
        return [t.object for t in self.outgoing if t.predicate.value == predicate]

    def has_type(self, *iris: str) -> bool:
        types = set(self.types)
        return any(i in types for i in iris)

    @property
    def is_illustrative(self) -> bool:
        return any(isinstance(o, ox.Literal) and o.value in ("true", "1")
                   for o in self.values(KL + "isIllustrative"))

    @property
    def sources(self) -> list[str]:
        return [o.value for o in self.values(DCTERMS + "source") if isinstance(o, ox.NamedNode)]

    def label(self, iri: str | None = None, lang: str = "id") -> str:
        """The label of ``iri`` (default: the resource) in ``lang``, else any label, else the IRI."""
        iri = iri or self.iri
        return label_of(self.labels, iri, lang)

    def triples(self) -> list[ox.Triple]:
        """Everything the description holds, for an RDF serialisation."""
        return list(self.outgoing) + list(self.incoming)


def label_of(labels: dict[str, dict[str, str]], iri: str, lang: str = "id") -> str:
    found = labels.get(iri) or {}
    for key in (lang, "id", "en", ""):
        if key in found:
            return found[key]
    if found:
        return next(iter(found.values()))
    return local_name(iri)


def local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri.rstrip(sep):
            tail = iri.rstrip(sep).rsplit(sep, 1)[1]
            if tail:
                return tail
    return iri


def fetch_labels(store: Store, iris: Iterable[str]) -> dict[str, dict[str, str]]:
    """Labels (``rdfs:label``, else ``skos:prefLabel``) of ``iris`` by language tag."""
    wanted = sorted({i for i in iris})
    labels: dict[str, dict[str, str]] = {}
    for start in range(0, len(wanted), 400):
        chunk = wanted[start:start + 400]
        # The IRIs come from the store (or were validated as IRIs): serialised as terms, not text.
        values = " ".join(str(ox.NamedNode(i)) for i in chunk)
        result = store.query(
            f"SELECT ?x ?p ?l WHERE {{ VALUES ?x {{ {values} }} ?x ?p ?l "
            f"FILTER((?p = <{RDFS}label> || ?p = <{SKOS}prefLabel>) && isLiteral(?l)) }}")
        ranked: dict[tuple[str, str], tuple[int, str]] = {}
        for row in result:  # type: ignore[union-attr]
            lang = row["l"].language or ""
            rank = _LABEL_PREDICATES.index(row["p"].value)
            key = (row["x"].value, lang)
            if key not in ranked or rank < ranked[key][0]:
                ranked[key] = (rank, row["l"].value)
        for (iri, lang), (_, text) in ranked.items():
            labels.setdefault(iri, {})[lang] = text
    return labels


def _mentioned(triples: Iterable[ox.Triple]) -> set[str]:
    out: set[str] = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                out.add(term.value)
    return out


def describe(store: Store, iri: str, *, max_incoming: int = MAX_INCOMING) -> Description:
    """The description of ``iri``; raises :class:`~kg.errors.NotFound` when the store has none."""
    try:
        resource = ox.NamedNode(iri)
    except ValueError:
        raise NotFound(f"no resource <{iri}>") from None
    outgoing: dict[ox.Triple, None] = {}
    incoming: dict[ox.Triple, None] = {}
    truncated = False
    for row in store.query(_TRIPLES_QUERY, bindings={"r": resource}):  # type: ignore[union-attr]
        triple = ox.Triple(row["s"], row["p"], row["o"])
        if row["dir"].value == "out":
            outgoing[triple] = None
        elif len(incoming) < max_incoming:
            incoming[triple] = None
        elif triple not in incoming:
            truncated = True
    if not outgoing and not incoming:
        raise NotFound(f"no resource <{iri}> in this dataset")
    labels = fetch_labels(store, _mentioned(list(outgoing) + list(incoming)) | _datatypes(outgoing))
    return Description(iri, tuple(outgoing), tuple(incoming), truncated, labels)


def _datatypes(triples: Iterable[ox.Triple]) -> set[str]:
    return {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)
            and t.object.datatype.value not in (XSD + "string", RDF + "langString")}
