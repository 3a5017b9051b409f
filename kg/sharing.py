"""How many sentra share each item, stored for the partner questions and kept current on ingest.

``technology-partners``, ``skill-partners``, ``financing-partners`` and ``supply-partners`` score a
partner P of sentra X as the sum over the items t they share of 1/users(t), where users(t) is the
number of distinct sentra (``kl:Sentra``) linked to t. Counting users(t) on every call costs
50-500 ms at national scale (the KUR scheme alone has 68k sentra and 766k enterprise users), so the
counts are computed once and stored on the item, as ``xsd:integer`` triples in their own graph
``{base}graph/sharing``, one datatype property per kind of sharing (:data:`KINDS`):

* ``kl:technologySentraCount``: the sentra with ``kl:usesTechnology`` t;
* ``kl:skillSentraCount``: the sentra with ``kl:needsSkill`` t;
* ``kl:financingSentraCount``: the sentra with ``kl:financedBy`` or ``kl:usesFinancingScheme`` t
  (a sentra linked both ways counts once);
* ``kl:producingSentraCount``: the sentra with ``kl:produces`` t;
* ``kl:inputSentraCount``: the sentra with ``kl:needsInput`` t.

Counts read every graph (the union, inferences included); only IRIs get a count, and only non-zero
counts are stored.

The same graph holds a derived link for the kinds whose items also have other users than sentra
(:attr:`Kind.sentra_link`): ``kl:financedThrough``, from every sentra to each financing source or
scheme it has (``kl:financedBy`` or ``kl:usesFinancingScheme``). The enterprises share those items
(KUR: 68k sentra, 766k users in all), so a question that reads a scheme's sentra through the asserted
links reads every enterprise too and then drops it (about 1 s for KUR at national scale); through
``kl:financedThrough`` it reads the sentra only.

Everything goes through the :class:`kg.store.Store` interface, so remote stores keep the counts and
links too. :func:`rebuild` recomputes the graph (``klaster init``, ``klaster load``, through
:func:`kg.derive.recompute`); :func:`items_of` before a write and :func:`keep_current` after it
recount exactly the items a set of sentra was or is linked to (a submission ingested, replaced or
withdrawn), and rewrite those sentra's derived links. Raw writes through the graph store or SPARQL
update do not recompute them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespaces import KL, RDF, XSD, graph_iri
from kg.sparql_text import batches, iri_values
from kg.store import Store

log = logging.getLogger(__name__)

GRAPH_SHARING = "sharing"
_PREFIXES = f"PREFIX kl: <{KL}>\nPREFIX rdf: <{RDF}>\n"
_BATCH = 500


@dataclass(frozen=True)
class Kind:
    """One kind of sharing: the stored count property, the link(s) from a sentra to an item and,
    when the items have other users than sentra, the derived link kept for sentra only."""
    name: str
    count_property: str
    links: tuple[str, ...]
    sentra_link: str | None = None

    def pattern(self, subject: str, item: str) -> str:
        """The links as a graph pattern (a UNION, not a property path: Virtuoso rejects some paths
        that start at a variable)."""
        return " UNION ".join(f"{{ {subject} <{link}> {item} }}" for link in self.links)


KINDS = {kind.name: kind for kind in (
    Kind("technology", KL + "technologySentraCount", (KL + "usesTechnology",)),
    Kind("skill", KL + "skillSentraCount", (KL + "needsSkill",)),
    Kind("financing", KL + "financingSentraCount", (KL + "financedBy", KL + "usesFinancingScheme"),
         KL + "financedThrough"),
    Kind("product", KL + "producingSentraCount", (KL + "produces",)),
    Kind("input", KL + "inputSentraCount", (KL + "needsInput",)),
)}

#: (kind name, item IRI)
Item = tuple[str, str]
#: (kind name, sentra IRI, item IRI): a derived link
Link = tuple[str, str, str]


@dataclass(frozen=True)
class SharingSummary:
    counts: int
    seconds: float
    links: int = 0


def sharing_graph(base_iri: str) -> str:
    return graph_iri(base_iri, GRAPH_SHARING)


def _count_query(kind: Kind, items: list[str] | None) -> str:
    """Distinct sentra per item of ``kind`` (every item, or those in ``items``). The links and the
    sentra are joined as two sub-selects (a hash join): one type lookup per link cost seconds for
    the KUR scheme's 834k links at national scale."""
    values = "" if items is None else f"VALUES ?item {{ {iri_values(items)} }} "
    return (f"{_PREFIXES}SELECT ?item (COUNT(DISTINCT ?s) AS ?n) WHERE {{ "
            f"{{ SELECT ?s ?item WHERE {{ {values}{kind.pattern('?s', '?item')} FILTER(isIRI(?item)) }} }} "
            f"{{ SELECT ?s WHERE {{ ?s a kl:Sentra }} }} }} GROUP BY ?item")


def count(store: Store, kind: Kind, items: list[str] | None = None) -> dict[str, int]:
    """item → number of distinct sentra linked to it by ``kind`` (items with none are absent)."""
    found: dict[str, int] = {}
    for batch in [None] if items is None else batches(sorted(items), _BATCH):
        for row in store.query(_count_query(kind, batch)):
            n = int(row["n"].value)
            if n:
                found[row["item"].value] = n
    return found


def compute(store: Store) -> dict[Item, int]:
    """Every count, from scratch."""
    return {(kind.name, item): n for kind in KINDS.values() for item, n in count(store, kind).items()}


def _triple(kind: str, item: str, n: int) -> ox.Triple:
    return ox.Triple(ox.NamedNode(item), ox.NamedNode(KINDS[kind].count_property),
                     ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer")))


def _links_query(kind: Kind, sentra: list[str] | None) -> str:
    """Distinct (sentra, item) linked by ``kind`` (every sentra, or those in ``sentra``). As in
    :func:`_count_query`, the links and the sentra are joined as two sub-selects."""
    values = "" if sentra is None else f"VALUES ?s {{ {iri_values(sentra)} }} "
    return (f"{_PREFIXES}SELECT DISTINCT ?s ?item WHERE {{ "
            f"{{ SELECT ?s ?item WHERE {{ {values}{kind.pattern('?s', '?item')} "
            f"FILTER(isIRI(?s) && isIRI(?item)) }} }} "
            f"{{ SELECT ?s WHERE {{ {values}?s a kl:Sentra }} }} }}")


def links(store: Store, sentra: set[str] | None = None) -> set[Link]:
    """The derived links (kind, sentra, item) the data gives now: of every sentra, or of those in
    ``sentra`` (the others are absent)."""
    found: set[Link] = set()
    for kind in KINDS.values():
        if kind.sentra_link is None:
            continue
        for batch in [None] if sentra is None else batches(sorted(sentra), _BATCH):
            found.update((kind.name, r["s"].value, r["item"].value)
                         for r in store.query(_links_query(kind, batch)))
    return found


def _link_triple(kind: str, sentra: str, item: str) -> ox.Triple:
    return ox.Triple(ox.NamedNode(sentra), ox.NamedNode(KINDS[kind].sentra_link),  # type: ignore[arg-type]
                     ox.NamedNode(item))


def rebuild(store: Store, base_iri: str) -> SharingSummary:
    """Recompute the sharing graph from scratch (one count per item and kind: a few thousand
    triples even at national scale; and the derived links, about 250,000), replacing it whole."""
    started = time.perf_counter()
    counts = compute(store)
    derived = links(store)
    graph = ox.NamedNode(sharing_graph(base_iri))
    triples = [_triple(k, i, n) for (k, i), n in sorted(counts.items())]
    triples += [_link_triple(*link) for link in sorted(derived)]
    store.replace_graph(sharing_graph(base_iri),
                        [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples])
    return SharingSummary(len(counts), time.perf_counter() - started, len(derived))


def stored(store: Store, base_iri: str) -> dict[Item, int]:
    """The counts the sharing graph holds."""
    names = {kind.count_property: kind.name for kind in KINDS.values()}
    query = (f"SELECT ?item ?p ?n WHERE {{ VALUES ?p {{ {iri_values(names)} }} ?item ?p ?n }}")
    return {(names[r["p"].value], r["item"].value): int(r["n"].value)
            for r in store.query(query, default_graphs=[sharing_graph(base_iri)])}


def stored_links(store: Store, base_iri: str) -> set[Link]:
    """The derived links the sharing graph holds."""
    names = {kind.sentra_link: kind.name for kind in KINDS.values() if kind.sentra_link}
    query = f"SELECT ?s ?p ?item WHERE {{ VALUES ?p {{ {iri_values(names)} }} ?s ?p ?item }}"
    return {(names[r["p"].value], r["s"].value, r["item"].value)
            for r in store.query(query, default_graphs=[sharing_graph(base_iri)])}


# -- what a write touches -------------------------------------------------------------------------
def _linking() -> set[str]:
    return {link for kind in KINDS.values() for link in kind.links}


def sentra_in(triples: Iterable[ox.Triple]) -> set[str]:
    """The resources a set of triples links to an item or types as a sentra: whose items' counts
    and derived links a write of these triples can change."""
    links = _linking()
    found = set()
    for t in triples:
        if not isinstance(t.subject, ox.NamedNode):
            continue
        p = t.predicate.value
        if p in links or (p == RDF + "type" and t.object.value == KL + "Sentra"):
            found.add(t.subject.value)
    return found


def sentra_of_graph(store: Store, graph: str) -> set[str]:
    """:func:`sentra_in` for the triples of a stored graph (a submission's data graph)."""
    links = " UNION ".join(f"{{ ?s <{link}> ?item }}" for link in sorted(_linking()))
    query = f"{_PREFIXES}SELECT DISTINCT ?s WHERE {{ {{ ?s a kl:Sentra }} UNION {links} FILTER(isIRI(?s)) }}"
    return {row["s"].value for row in store.query(query, default_graphs=[graph])}


def items_of(store: Store, sentra: set[str]) -> set[Item]:
    """(kind, item) of every item ``sentra`` are linked to now, in any graph."""
    found: set[Item] = set()
    branches = " UNION ".join(f'{{ ?s <{link}> ?item BIND("{kind.name}" AS ?kind) }}'
                              for kind in KINDS.values() for link in kind.links)
    for batch in batches(sorted(sentra), _BATCH):
        query = (f"SELECT DISTINCT ?kind ?item WHERE {{ VALUES ?s {{ {iri_values(batch)} }} "
                 f"{branches} FILTER(isIRI(?item)) }}")
        found.update((r["kind"].value, r["item"].value) for r in store.query(query))
    return found


def refresh_update(base_iri: str, counts: dict[Item, int]) -> str:
    """One SPARQL update that sets the counts in ``counts`` (0 removes a count)."""
    graph = sharing_graph(base_iri)
    ops = []
    for name, kind in KINDS.items():
        items = sorted(item for k, item in counts if k == name)
        for batch in batches(items, _BATCH):
            ops.append(f"DELETE {{ GRAPH <{graph}> {{ ?item <{kind.count_property}> ?n }} }} "
                       f"WHERE {{ VALUES ?item {{ {iri_values(batch)} }} "
                       f"GRAPH <{graph}> {{ ?item <{kind.count_property}> ?n }} }}")
    kept = [_triple(k, i, n) for (k, i), n in sorted(counts.items()) if n]
    if kept:
        body = ox.serialize(kept, format=ox.RdfFormat.N_TRIPLES).decode()
        ops.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}")
    return " ;\n".join(ops)


def refresh_links_update(base_iri: str, sentra: list[str], now: set[Link]) -> str:
    """One SPARQL update that replaces the derived links of ``sentra`` with ``now`` (theirs)."""
    graph = sharing_graph(base_iri)
    # one operation per property, written as a constant: with the property from VALUES, pyoxigraph
    # scanned the graph (2.9 s instead of 9 ms for 500 sentra at national scale)
    ops = [f"DELETE {{ GRAPH <{graph}> {{ ?s <{kind.sentra_link}> ?item }} }} WHERE {{ "
           f"VALUES ?s {{ {iri_values(batch)} }} GRAPH <{graph}> {{ ?s <{kind.sentra_link}> ?item }} }}"
           for kind in KINDS.values() if kind.sentra_link
           for batch in batches(sorted(sentra), _BATCH)]
    if now:
        body = ox.serialize([_link_triple(*link) for link in sorted(now)],
                            format=ox.RdfFormat.N_TRIPLES).decode()
        ops.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}")
    return " ;\n".join(ops)


def refresh_links(store: Store, base_iri: str, sentra: set[str]) -> int:
    """Rewrite the derived links of ``sentra`` from the data, in one update. Returns how many."""
    if not sentra:
        return 0
    now = links(store, sentra)
    store.update(refresh_links_update(base_iri, sorted(sentra), now))
    return len(now)


def refresh(store: Store, base_iri: str, items: set[Item]) -> int:
    """Recount ``items`` from the links and store the counts, in one update. Returns how many."""
    if not items:
        return 0
    counts: dict[Item, int] = {}
    for name, kind in KINDS.items():
        wanted = sorted(item for k, item in items if k == name)
        if wanted:
            now = count(store, kind, wanted)
            counts.update(((name, item), now.get(item, 0)) for item in wanted)
    store.update(refresh_update(base_iri, counts))
    return len(counts)


def keep_current(store: Store, base_iri: str, sentra: set[str], before: set[Item]) -> None:
    """After a write about ``sentra`` (``before`` = :func:`items_of` them before it): recount the
    items they were linked to before and are linked to now, and rewrite their derived links. A
    failure leaves the data written and the counts or links stale until the next ``klaster init``;
    it is logged, not raised."""
    try:
        refresh(store, base_iri, before | items_of(store, sentra))
        refresh_links(store, base_iri, sentra)
    except Exception:  # noqa: BLE001 - the write itself succeeded; say so and carry on
        log.exception("the shared-item counts or derived links could not be refreshed; run "
                      "'klaster init'")
