"""The label index behind the ``search`` question: word-prefix keys as ``kl:searchKey`` triples.

Every resource of a searchable kind (sentra, klaster, regions, cooperation areas, concepts,
agencies, programmes: not enterprises) gets one ``kl:searchKey`` literal for every prefix, from
:data:`MIN_KEY` to :data:`MAX_KEY` characters, of every word of its ``rdfs:label`` and
``skos:prefLabel`` texts. Words are runs of letters and digits, lower-cased: "Kampung Sepatu
(Kota Mojokerto)" has the words ``kampung sepatu kota mojokerto`` and the keys ``ka kam … kampung
se … mojokerto``. A search then starts from one exact lookup of the first word of the text (cut to
:data:`MAX_KEY` characters) instead of scanning every label in the store.

The keys are computed where the inferences are (:mod:`kg.reason`): over the whole store by
``materialise`` and for a submission's triples by ``infer_delta``, so they live and die with the
inferred graph they belong to. The functions here are pure over triples, apart from
:func:`labelled_resources`, which reads the labels and kinds of resources from a store.

The query side (``queries/search.rq``) must cut the text into words the same way:
``REPLACE(LCASE(?q), "[^\\\\p{L}\\\\p{N}]+", " ")`` is what :data:`_WORD` does here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import IO

import pyoxigraph as ox

from kg.namespaces import KL, RDF, RDFS, SKOS
from kg.sparql_text import iri_values
from kg.store import Store

#: The property the keys are stated with.
SEARCH_KEY = KL + "searchKey"
#: Shortest and longest key, in characters (a search needs at least 2 characters).
MIN_KEY = 2
MAX_KEY = 20

#: The classes whose members are searchable, and the kind the ``search`` question reports.
SEARCHABLE: dict[str, str] = {
    KL + "Sentra": "sentra", KL + "Klaster": "klaster", KL + "CooperationArea": "kawasan",
    **{KL + c: "region" for c in ("Province", "RegencyOrCity", "Regency", "City", "District",
                                  "VillageLevelRegion", "Village", "UrbanVillage", "CustomaryVillage")},
    **{KL + c: "concept" for c in ("Product", "Technology", "Skill", "FinancingSource",
                                   "FinancingScheme", "IndustryClass")},
    KL + "Agency": "agency", KL + "Programme": "programme",
}
#: The label properties that are indexed.
LABELS = (RDFS + "label", SKOS + "prefLabel")

#: A word: a run of letters and digits (SPARQL: ``[\\p{L}\\p{N}]+``).
_WORD = re.compile(r"[^\W_]+")
_KEY = ox.NamedNode(SEARCH_KEY)


def words(text: str) -> list[str]:
    """The lower-cased words of a text."""
    return _WORD.findall(text.lower())


def keys(text: str) -> set[str]:
    """Every key of one label text: the prefixes of its words, ``MIN_KEY``..``MAX_KEY`` long."""
    found: set[str] = set()
    for word in words(text):
        for end in range(MIN_KEY, min(len(word), MAX_KEY) + 1):
            found.add(word[:end])
    return found


def query_key(text: str) -> str | None:
    """The key a search for ``text`` looks up: its first word of at least :data:`MIN_KEY`
    characters, cut to :data:`MAX_KEY`; None when it has no such word.

    A later word of the text is preceded by a separator in the text, so a label that contains the
    whole text has a word starting with it anyway: looking up the first long-enough word loses
    no label that contains the text and has a word starting with the text's first word."""
    first = next((w for w in words(text) if len(w) >= MIN_KEY), "")
    return first[:MAX_KEY] or None


def search_key(text: str) -> str:
    """:func:`query_key` for the ``search`` question (a ``derive`` function, see
    :mod:`kg.params`): raises :class:`ValueError` when the text has no word to look up."""
    key = query_key(text)
    if key is None:
        raise ValueError(f"needs a word of at least {MIN_KEY} letters or digits")
    return key


def key_triples(labels: Iterable[tuple[ox.NamedNode, str]]) -> set[ox.Triple]:
    """The ``kl:searchKey`` triples of (resource, label text) pairs."""
    out: set[ox.Triple] = set()
    for resource, text in labels:
        out.update(ox.Triple(resource, _KEY, ox.Literal(k)) for k in keys(text))
    return out


_SHAPE = (f"VALUES ?c {{ {iri_values(SEARCHABLE)} }} VALUES ?p {{ {iri_values(LABELS)} }} "
          f"?r a ?c . ?r ?p ?l FILTER(isIRI(?r) && isLITERAL(?l))")


def labelled_resources(store: Store,
                       graphs: list[str] | None = None) -> Iterator[tuple[ox.NamedNode, str]]:
    """(resource, label text) of every searchable resource in ``graphs`` of ``store`` (None: the
    store's default graph, the union of its graphs)."""
    if graphs is None or graphs:
        for row in store.query(f"SELECT DISTINCT ?r ?l WHERE {{ {_SHAPE} }}", default_graphs=graphs):
            yield row["r"], row["l"].value


def index(store: Store, graphs: list[str] | None = None) -> set[ox.Triple]:
    """Every key of the searchable resources in ``graphs`` (for ``materialise``)."""
    return key_triples(labelled_resources(store, graphs))


def write_index(store: Store, graphs: list[str] | None, output: IO[bytes], *,
                batch: int = 100_000) -> int:
    """Serialise every key of the searchable resources in ``graphs`` to ``output`` as N-Triples,
    ``batch`` triples at a time (memory stays bounded at national scale); returns how many were
    written (a key two labels of one resource share is written twice)."""
    written, pending = 0, []
    for resource, text in labelled_resources(store, graphs):
        pending.extend(ox.Triple(resource, _KEY, ox.Literal(k)) for k in keys(text))
        if len(pending) >= batch:
            ox.serialize(pending, output, format=ox.RdfFormat.N_TRIPLES)
            written, pending = written + len(pending), []
    if pending:
        ox.serialize(pending, output, format=ox.RdfFormat.N_TRIPLES)
        written += len(pending)
    return written


def delta(store: Store, graphs: list[str], triples: Iterable[ox.Triple], *,
          batch: int = 2_000) -> set[ox.Triple]:
    """The keys of the resources that ``triples`` label or type, once ``triples`` are added to
    ``graphs`` of ``store`` (for ``infer_delta``). Keys the store already holds are included: the
    caller leaves out what is stored."""
    triples = [t for t in triples if isinstance(t.subject, ox.NamedNode)]
    searchable = {t.subject.value for t in triples
                  if t.predicate.value == RDF + "type" and t.object.value in SEARCHABLE}
    labels = {(t.subject.value, t.object.value) for t in triples
              if t.predicate.value in LABELS and isinstance(t.object, ox.Literal)}
    # Only a resource the triples label or make searchable can gain keys (an observation that is
    # merely typed cannot). The store is asked with the subjects as the only VALUES: a VALUES of
    # classes or predicates beside them makes pyoxigraph scan every type or label (2,000
    # subjects: 9 s and 90 s on the national store, against 0.07 s and 0.08 s this way).
    labelled = sorted({r for r, _ in labels} - searchable)
    typed = sorted(searchable)
    paths = "|".join(f"<{p}>" for p in LABELS)
    for start in range(0, len(labelled) if graphs else 0, batch):
        subjects = f"VALUES ?r {{ {iri_values(labelled[start:start + batch])} }}"
        searchable.update(row["r"].value for row in store.query(
            f"SELECT DISTINCT ?r ?c WHERE {{ {subjects} ?r a ?c }}", default_graphs=graphs)
            if row["c"].value in SEARCHABLE)
    for start in range(0, len(typed) if graphs else 0, batch):
        subjects = f"VALUES ?r {{ {iri_values(typed[start:start + batch])} }}"
        labels.update((row["r"].value, row["l"].value) for row in store.query(
            f"SELECT DISTINCT ?r ?l WHERE {{ {subjects} ?r {paths} ?l FILTER(isLITERAL(?l)) }}",
            default_graphs=graphs))
    return key_triples((ox.NamedNode(r), text) for r, text in labels if r in searchable)
