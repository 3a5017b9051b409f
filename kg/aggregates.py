"""Unit-count aggregates behind the location-quotient questions, kept current on ingest.

``specialisation``, ``oversupply-risk`` and ``unreached-specialised`` need the producing units per
area (province, kabupaten/kota, kecamatan, the nation), industry and year, and per area and year over
every industry. Summing the sentra observations for these on every call joins every observation with
``kl:within`` (tens of seconds at national scale), so they are computed once and stored as RDF Data
Cube observations in their own graph ``{base}graph/aggregates`` (dataset ``kl:UnitAggregates``):

* an observation per (area, industry, year) with ``kl:aggregateArea``, ``kl:aggregateIndustry``
  (``kl:AllIndustries`` for the sum over every industry), ``kl:refPeriod`` (``xsd:gYear``) and the
  measure ``kl:unitTotal``; the area is a region or ``kl:Nation``;
* a ``qb:Slice`` per (level, industry, year) that lists them (``qb:observation``) and states the
  level (``kl:aggregateLevel``: ``kl:Province``, ``kl:RegencyOrCity``, ``kl:District`` or
  ``kl:Nation``), so a question finds the rows of one level, industry and year with one lookup.

A figure sums ``kl:unitCount`` over the observations (``kl:refSentra``, ``kl:refIndustry``,
``kl:refPeriod``) of the sentra inside the area (``kl:within``, materialised), over every graph; the
sum over every industry is the sum of the industry figures. Only non-zero figures are stored.

Everything is read with SPARQL (so it works on remote stores too) and summed here, in memory
bounded by the number of sentra and of figures, never by the number of observations.
:func:`rebuild` recomputes the graph (seeding, ``klaster load``). A submission ingested, replaced or
withdrawn changes the figures by what its sentra add: :func:`snapshot` reads their contribution
before the write, :func:`keep_current` reads it again after it and stores ``stored − before +
after`` for the figures concerned (and edits the sentra the kabupaten/kota figures name), in one
update. That reads the submission's sentra and the figures they count in, never the rest of the
country; :func:`refresh` (recompute some figures from every observation) is its fallback when the
stored figures cannot have been current.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespaces import KL, QB, RDF, XSD, graph_iri
from kg.sparql_text import batches, iri_values
from kg.store import Store

log = logging.getLogger(__name__)

GRAPH_AGGREGATES = "aggregates"
DATASET = KL + "UnitAggregates"
NATION = KL + "Nation"
ALL_INDUSTRIES = KL + "AllIndustries"
#: The region levels with figures, by their class, and the name used in slice IRIs.
LEVELS = {KL + "Province": "province", KL + "RegencyOrCity": "kabupaten_kota",
          KL + "District": "kecamatan"}
KAB = KL + "RegencyOrCity"

_PREFIXES = f"PREFIX kl: <{KL}>\nPREFIX qb: <{QB}>\nPREFIX rdf: <{RDF}>\n"

#: (area, level, industry, period) → units; period is the xsd:gYear lexical form.
Key = tuple[str, str, str, str]


@dataclass(frozen=True)
class AggregatesSummary:
    figures: int
    triples: int
    seconds: float


def aggregates_graph(base_iri: str) -> str:
    return graph_iri(base_iri, GRAPH_AGGREGATES)


# -- reading the sentra observations --------------------------------------------------------------
def _observations(store: Store, sentra: list[str] | None = None) -> Iterator[tuple[str, str, str, int]]:
    """(sentra, industry, period, units) of every sentra observation, or of those of ``sentra``."""
    pattern = "?o kl:refSentra ?s ; kl:refIndustry ?i ; kl:refPeriod ?p ; kl:unitCount ?n ."
    groups = [None] if sentra is None else list(batches(sentra))
    for batch in groups:
        values = "" if batch is None else f"VALUES ?s {{ {iri_values(batch)} }} "
        for row in store.query(f"{_PREFIXES}SELECT ?s ?i ?p ?n WHERE {{ {values}{pattern} }}"):
            try:
                units = int(row["n"].value)
            except ValueError:
                continue  # a malformed count is the shapes' business, not a figure
            yield row["s"].value, row["i"].value, row["p"].value, units


def _levels(store: Store) -> dict[str, str]:
    """region → level class, for the regions at a counted level (a few thousand)."""
    query = f"{_PREFIXES}SELECT ?r ?level WHERE {{ VALUES ?level {{ {iri_values(LEVELS)} }} ?r a ?level }}"
    return {row["r"].value: row["level"].value for row in store.query(query)}


def _areas(store: Store, sentra: list[str] | None = None) -> dict[str, list[tuple[str, str]]]:
    """sentra (``kl:Sentra``) → [(region, level class)] of the regions at a counted level that
    contain it. An observation of anything else counts for the nation only."""
    levels = _levels(store)
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    groups = [None] if sentra is None else list(batches(sentra))
    for batch in groups:
        # FILTER EXISTS: with the type as a triple pattern pyoxigraph scans every sentra for
        # each batch (15 s for 2,000 national sentra, against 0.08 s)
        where = ("?s a kl:Sentra ; kl:within ?r" if batch is None else
                 f"VALUES ?s {{ {iri_values(batch)} }} ?s kl:within ?r FILTER EXISTS {{ ?s a kl:Sentra }}")
        for row in store.query(f"{_PREFIXES}SELECT ?s ?r WHERE {{ {where} }}"):
            level = levels.get(row["r"].value)
            if level is not None:
                found[row["s"].value].append((row["r"].value, level))
    return found


def _sum(observations: Iterable[tuple[str, str, str, int]],
         areas: dict[str, list[tuple[str, str]]]) -> dict[Key, int]:
    figures: dict[Key, int] = defaultdict(int)
    for s, industry, period, units in observations:
        figures[(NATION, NATION, industry, period)] += units
        for region, level in areas.get(s, ()):
            figures[(region, level, industry, period)] += units
    return figures


def _with_totals(figures: dict[Key, int]) -> dict[Key, int]:
    totals: dict[Key, int] = defaultdict(int)
    for (area, level, _, period), units in figures.items():
        totals[(area, level, ALL_INDUSTRIES, period)] += units
    return {**figures, **totals}


def compute_all(store: Store) -> tuple[dict[Key, int], dict[tuple[str, str], list[str]]]:
    """Every figure from scratch (non-zero ones only), and the sentra of each (kabupaten/kota,
    industry) pair that has figures (see :func:`triples`)."""
    areas = _areas(store)
    figures = {k: v for k, v in _with_totals(_sum(_observations(store), areas)).items() if v}
    links: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in store.query(f"{_PREFIXES}SELECT ?s ?i WHERE {{ ?s a kl:Sentra ; kl:industryCode ?i }}"):
        s, industry = row["s"].value, row["i"].value
        for region, level in areas.get(s, ()):
            if level == KAB:
                links[(region, industry)].append(s)
    return figures, {pair: sorted(found) for pair, found in links.items()}


def compute(store: Store) -> dict[Key, int]:
    """Every figure, from scratch (non-zero ones only)."""
    return compute_all(store)[0]


def _links_for(store: Store, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    """The sentra of each (kabupaten/kota, industry) pair: ``kl:industryCode`` and ``kl:within``."""
    links: dict[tuple[str, str], list[str]] = {pair: [] for pair in pairs}
    # one pass over what each kabupaten/kota contains serves all its industries: starting from
    # kl:within (pyoxigraph joins in the written order here) and listing by kabupaten/kota took
    # 1.3 s for 2,566 national pairs against 7.3 s by pair and 174 s from the industry code
    for batch in batches(sorted({k for k, _ in pairs}), 200):
        query = (f"{_PREFIXES}SELECT ?k ?i ?s WHERE {{ VALUES ?k {{ {iri_values(batch)} }} "
                 f"?s kl:within ?k . ?s a kl:Sentra . ?s kl:industryCode ?i }}")
        for r in store.query(query):
            found = links.get((r["k"].value, r["i"].value))
            if found is not None:
                found.append(r["s"].value)
    return {pair: sorted(found) for pair, found in links.items()}


# -- writing --------------------------------------------------------------------------------------
def _key(iri: str, base_iri: str) -> str:
    if iri.startswith(base_iri):
        return iri[len(base_iri):]
    if iri.startswith(KL):
        return iri[len(KL):]
    return hashlib.sha256(iri.encode()).hexdigest()[:20]


def slice_iri(base_iri: str, level: str, industry: str, period: str) -> str:
    name = LEVELS.get(level, "nation")
    return f"{base_iri}aggregate/units/{name}/{_key(industry, base_iri)}/{period}"


def observation_iri(base_iri: str, key: Key) -> str:
    """``{slice}/{area}``: the observation of an area is found from its slice's IRI, so a question
    reads the same area's figure in another slice with one lookup (no join on the area)."""
    area, level, industry, period = key
    return f"{slice_iri(base_iri, level, industry, period)}/{_key(area, base_iri)}"


def _slice_triples(base_iri: str, level: str, industry: str, period: str) -> list[ox.Triple]:
    s = ox.NamedNode(slice_iri(base_iri, level, industry, period))
    year = ox.Literal(period, datatype=ox.NamedNode(XSD + "gYear"))
    return [ox.Triple(s, ox.NamedNode(RDF + "type"), ox.NamedNode(QB + "Slice")),
            ox.Triple(s, ox.NamedNode(QB + "sliceStructure"), ox.NamedNode(KL + "UnitAggregatesSlice")),
            ox.Triple(s, ox.NamedNode(KL + "aggregateLevel"), ox.NamedNode(level)),
            ox.Triple(s, ox.NamedNode(KL + "aggregateIndustry"), ox.NamedNode(industry)),
            ox.Triple(s, ox.NamedNode(KL + "refPeriod"), year),
            ox.Triple(s, ox.NamedNode(KL + "refYear"),
                      ox.Literal(str(int(period)), datatype=ox.NamedNode(XSD + "integer")))]


def _observation_triples(base_iri: str, key: Key, units: int,
                         sentra: Iterable[str] = ()) -> list[ox.Triple]:
    area, level, industry, period = key
    o = ox.NamedNode(observation_iri(base_iri, key))
    year = ox.Literal(period, datatype=ox.NamedNode(XSD + "gYear"))
    found = [ox.Triple(o, ox.NamedNode(RDF + "type"), ox.NamedNode(QB + "Observation")),
             ox.Triple(o, ox.NamedNode(QB + "dataSet"), ox.NamedNode(DATASET)),
             ox.Triple(o, ox.NamedNode(KL + "aggregateArea"), ox.NamedNode(area)),
             ox.Triple(o, ox.NamedNode(KL + "aggregateIndustry"), ox.NamedNode(industry)),
             ox.Triple(o, ox.NamedNode(KL + "refPeriod"), year),
             ox.Triple(o, ox.NamedNode(KL + "unitTotal"),
                       ox.Literal(str(units), datatype=ox.NamedNode(XSD + "integer"))),
             ox.Triple(ox.NamedNode(slice_iri(base_iri, level, industry, period)),
                       ox.NamedNode(QB + "observation"), o)]
    found += [ox.Triple(o, ox.NamedNode(KL + "industrySentra"), ox.NamedNode(s)) for s in sentra]
    return found


def triples(base_iri: str, figures: dict[Key, int],
            links: dict[tuple[str, str], list[str]] | None = None) -> Iterator[ox.Triple]:
    """The graph's content for ``figures``: the observations and the slices that list them. An
    industry's figure of a kabupaten/kota also names the sentra of that industry there
    (``kl:industrySentra``, from ``links``), so a question goes from a specialised region and
    industry to its sentra without joining every sentra with ``kl:within``."""
    slices = set()
    links = links or {}
    for key, units in figures.items():
        area, level, industry, period = key
        if (level, industry, period) not in slices:
            slices.add((level, industry, period))
            yield from _slice_triples(base_iri, level, industry, period)
        sentra = links.get((area, industry), ()) if level == KAB else ()
        yield from _observation_triples(base_iri, key, units, sentra)


def rebuild(store: Store, base_iri: str, *, chunk: int = 100_000) -> AggregatesSummary:
    """Recompute the aggregates graph from scratch.

    Like the bulk rewrite of the inferred graph, this is not one transaction: the graph is dropped
    and written again in chunks, so memory stays bounded (one update moving a national-scale graph
    into place took 7 minutes and 8.7 GB). It runs where the store is being rebuilt anyway
    (``klaster init``, ``klaster load``); running it again repairs an interrupted run."""
    started = time.perf_counter()
    figures, links = compute_all(store)
    target = aggregates_graph(base_iri)
    graph = ox.NamedNode(target)
    store.drop_graph(target)
    count, batch = 0, []
    for t in triples(base_iri, figures, links):
        batch.append(ox.Quad(t.subject, t.predicate, t.object, graph))
        if len(batch) >= chunk:
            store.add(batch)
            count, batch = count + len(batch), []
    if batch:
        store.add(batch)
        count += len(batch)
    return AggregatesSummary(len(figures), count, time.perf_counter() - started)


def stored(store: Store, base_iri: str) -> dict[Key, int]:
    """The figures the aggregates graph holds."""
    query = (f"{_PREFIXES}SELECT ?a ?level ?i ?p ?n WHERE {{ ?slice qb:observation ?o ; "
             f"kl:aggregateLevel ?level . ?o kl:aggregateArea ?a ; kl:aggregateIndustry ?i ; "
             f"kl:refPeriod ?p ; kl:unitTotal ?n }}")
    return {(r["a"].value, r["level"].value, r["i"].value, r["p"].value): int(r["n"].value)
            for r in store.query(query, default_graphs=[aggregates_graph(base_iri)])}


def stored_links(store: Store, base_iri: str) -> dict[tuple[str, str], list[str]]:
    """(kabupaten/kota, industry) → the sentra its stored figures name (the same in every year)."""
    query = (f"{_PREFIXES}SELECT DISTINCT ?a ?i ?s WHERE {{ ?o kl:industrySentra ?s ; "
             f"kl:aggregateArea ?a ; kl:aggregateIndustry ?i }}")
    links: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in store.query(query, default_graphs=[aggregates_graph(base_iri)]):
        links[(r["a"].value, r["i"].value)].append(r["s"].value)
    return {pair: sorted(found) for pair, found in links.items()}


# -- keeping them current -------------------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    """What a set of sentra adds to the aggregates at one moment (see :func:`snapshot`)."""
    sentra: frozenset[str]
    #: figure → the units the sentra's observations add to it (the totals over every industry too)
    figures: dict[Key, int]
    #: (kabupaten/kota, industry) → those of the sentra that its figures name
    members: dict[tuple[str, str], frozenset[str]]


def snapshot(store: Store, sentra: Iterable[str]) -> Snapshot:
    """The contribution of ``sentra`` to the aggregates, as the store holds them now: what
    :func:`compute_all` would count for them alone. Take one before a write about them and pass
    it to :func:`keep_current` after it."""
    names = sorted(set(sentra))
    if not names:
        return Snapshot(frozenset(), {}, {})
    areas = _areas(store, names)
    figures = _with_totals(_sum(_observations(store, names), areas))
    members: dict[tuple[str, str], set[str]] = defaultdict(set)
    for batch in batches(names):
        query = (f"{_PREFIXES}SELECT ?s ?i WHERE {{ VALUES ?s {{ {iri_values(batch)} }} "
                 f"?s kl:industryCode ?i }}")
        for r in store.query(query):
            for area, level in areas.get(r["s"].value, ()):
                if level == KAB:
                    members[(area, r["i"].value)].add(r["s"].value)
    return Snapshot(frozenset(names), dict(figures),
                    {pair: frozenset(found) for pair, found in members.items()})


def _years(store: Store, base_iri: str) -> set[str]:
    """The years the aggregates graph has slices for (empty when it was never built)."""
    query = f"{_PREFIXES}SELECT DISTINCT ?y WHERE {{ ?slice kl:aggregateLevel ?level ; kl:refPeriod ?y }}"
    return {r["y"].value for r in store.query(query, default_graphs=[aggregates_graph(base_iri)])}


def _keys(found: Snapshot, years: set[str]) -> set[Key]:
    """The figures a snapshot's sentra count in or are named by (in every year)."""
    years = years | {period for _, _, _, period in found.figures}
    return set(found.figures) | {(area, KAB, industry, y)
                                 for area, industry in found.members for y in years}


def _recompute(store: Store, keys: set[Key]
               ) -> tuple[dict[Key, int], dict[tuple[str, str], list[str]]]:
    """The current value of every figure in ``keys`` (0 when nothing counts in it), and the
    sentra of the (kabupaten/kota, industry) pairs among them."""
    pairs = sorted({(industry, period) for _, _, industry, period in keys
                    if industry != ALL_INDUSTRIES})
    wanted_areas = {(area, period) for area, _, _, period in keys}
    # the observations of the touched (industry, year) pairs, whoever they belong to
    values: dict[Key, int] = defaultdict(int)
    for batch in batches(pairs, 200):
        rows = " ".join(f"(<{i}> \"{p}\"^^<{XSD}gYear>)" for i, p in batch)
        query = (f"{_PREFIXES}SELECT ?s ?i ?p ?n WHERE {{ VALUES (?i ?p) {{ {rows} }} "
                 f"?o kl:refIndustry ?i ; kl:refPeriod ?p ; kl:refSentra ?s ; kl:unitCount ?n }}")
        observations = [(r["s"].value, r["i"].value, r["p"].value, r["n"].value)
                        for r in store.query(query)]
        areas = _areas(store, sorted({o[0] for o in observations}))
        for s, industry, period, units in observations:
            try:
                n = int(units)
            except ValueError:
                continue
            for area, level in [(NATION, NATION), *areas.get(s, ())]:
                if (area, period) in wanted_areas:
                    values[(area, level, industry, period)] += n
    result = {k: values.get(k, 0) for k in keys if k[2] != ALL_INDUSTRIES}
    # totals: the stored figures of the other industries plus the recomputed ones
    totals = {k for k in keys if k[2] == ALL_INDUSTRIES}
    if totals:
        sums: dict[tuple[str, str], int] = defaultdict(int)
        recomputed = {(a, i, p) for a, _, i, p in result}
        for (area, _, _, period), units in result.items():
            sums[(area, period)] += units
        stored_now = _stored_for(store, sorted({(a, p) for a, _, _, p in totals}))
        for (area, industry, period), units in stored_now.items():
            if (area, industry, period) not in recomputed:
                sums[(area, period)] += units
        for key in totals:
            result[key] = sums.get((key[0], key[3]), 0)
    pairs = sorted({(a, i) for a, level, i, _ in keys if level == KAB and i != ALL_INDUSTRIES})
    return result, _links_for(store, pairs)


def _stored_for(store: Store, pairs: list[tuple[str, str]]) -> dict[tuple[str, str, str], int]:
    """Stored industry figures of (area, period) pairs: (area, industry, period) → units."""
    found: dict[tuple[str, str, str], int] = {}
    for batch in batches(pairs, 500):
        rows = " ".join(f"(<{a}> \"{p}\"^^<{XSD}gYear>)" for a, p in batch)
        query = (f"{_PREFIXES}SELECT ?a ?i ?p ?n WHERE {{ VALUES (?a ?p) {{ {rows} }} "
                 f"?o kl:aggregateArea ?a ; kl:refPeriod ?p ; kl:aggregateIndustry ?i ; "
                 f"kl:unitTotal ?n . FILTER(?i != kl:AllIndustries) }}")
        for r in store.query(query):
            found[(r["a"].value, r["i"].value, r["p"].value)] = int(r["n"].value)
    return found


def _deletions(graph: str, observations: list[str]) -> list[str]:
    """Update operations removing the ``observations`` (IRIs) of the aggregates graph ``graph``
    and their listing in a slice (the slices stay)."""
    ops = []
    for batch in batches(sorted(observations)):
        values = iri_values(batch)
        ops.append(f"DELETE {{ GRAPH <{graph}> {{ ?o ?p ?v }} }} "
                   f"WHERE {{ VALUES ?o {{ {values} }} GRAPH <{graph}> {{ ?o ?p ?v }} }}")
        ops.append(f"DELETE {{ GRAPH <{graph}> {{ ?slice <{QB}observation> ?o }} }} "
                   f"WHERE {{ VALUES ?o {{ {values} }} GRAPH <{graph}> {{ ?slice <{QB}observation> ?o }} }}")
    return ops


def refresh_update(base_iri: str, figures: dict[Key, int],
                   links: dict[tuple[str, str], list[str]] | None = None) -> str:
    """One SPARQL update that sets the figures in ``figures`` (0 removes a figure)."""
    graph = aggregates_graph(base_iri)
    ops = _deletions(graph, [observation_iri(base_iri, key) for key in figures])
    kept = {key: units for key, units in figures.items() if units}
    if kept:
        body = ox.serialize(triples(base_iri, kept, links), format=ox.RdfFormat.N_TRIPLES).decode()
        ops.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}")
    return " ;\n".join(ops)


def refresh(store: Store, base_iri: str, keys: set[Key]) -> int:
    """Recompute the figures ``keys`` from the observations and store them, in one update.
    Returns how many figures were recomputed."""
    if not keys:
        return 0
    update = refresh_update(base_iri, *_recompute(store, keys))
    if update:
        store.update(update)
    return len(keys)


# -- what a submission touches --------------------------------------------------------------------
def sentra_in(triples_: Iterable[ox.Triple]) -> set[str]:
    """The sentra a set of triples is about: those its observations refer to (``kl:refSentra``),
    and those it types or places (a sentra it adds or moves)."""
    found = set()
    placing = {KL + "locatedIn", KL + "within"}
    for t in triples_:
        p = t.predicate.value
        if p == KL + "refSentra" and isinstance(t.object, ox.NamedNode):
            found.add(t.object.value)
        elif isinstance(t.subject, ox.NamedNode) and (
                p in placing or (p == RDF + "type" and t.object.value == KL + "Sentra")):
            found.add(t.subject.value)
    return found


def sentra_of_graph(store: Store, graph: str) -> set[str]:
    """The sentra the triples of a stored graph (a submission's data graph) are about."""
    query = (f"{_PREFIXES}SELECT DISTINCT ?s WHERE {{ {{ ?o kl:refSentra ?s }} UNION "
             f"{{ ?s a kl:Sentra }} UNION {{ ?s kl:locatedIn ?place }} FILTER(isIRI(?s)) }}")
    return {row["s"].value for row in store.query(query, default_graphs=[graph])}


def keep_current(store: Store, base_iri: str, before: Snapshot) -> None:
    """After a write about the sentra of ``before`` (their :func:`snapshot` taken before it):
    bring the figures up to date by the difference their contribution made. A failure here leaves
    the data written and the figures stale until the next ``klaster init``; it is logged, not
    raised."""
    try:
        apply_delta(store, base_iri, before, snapshot(store, before.sentra))
    except Exception:  # noqa: BLE001 - the write itself succeeded; say so and carry on
        log.exception("the unit-count aggregates could not be refreshed; run 'klaster init'")


def apply_delta(store: Store, base_iri: str, before: Snapshot, after: Snapshot) -> int:
    """Store ``stored − before + after`` for every figure the two snapshots (of the same sentra,
    around a write about them only) differ on, and edit the sentra named by the kabupaten/kota
    figures they entered or left, in one update. Reads only the figures concerned, so it costs
    what the write is about, not what the store holds. Returns how many figures it looked at.

    The stored figures must have been current before the write; where they cannot have been (a
    figure would go below zero, or the graph was never built) the figures concerned are
    recomputed from the observations instead (:func:`refresh`)."""
    change: dict[Key, int] = defaultdict(int)
    for key, units in after.figures.items():
        change[key] += units
    for key, units in before.figures.items():
        change[key] -= units
    moved: dict[tuple[str, str], tuple[frozenset[str], frozenset[str]]] = {}  # (left, entered)
    for pair in before.members.keys() | after.members.keys():
        old, new = before.members.get(pair, frozenset()), after.members.get(pair, frozenset())
        if old != new:
            moved[pair] = (old - new, new - old)
    years = _years(store, base_iri)
    keys = {key for key, units in change.items() if units}
    keys |= {(area, KAB, industry, y) for area, industry in moved for y in years}
    if not keys:
        return 0
    current = _stored_values(store, base_iri, keys)
    figures = {key: current.get(key, 0) + change.get(key, 0) for key in keys}
    if not years or any(units < 0 for units in figures.values()):
        log.warning("the unit-count aggregates were not current; recomputing the %d figures "
                    "concerned from the observations", len(keys))
        return refresh(store, base_iri, _keys(before, years) | _keys(after, years))
    created = {key for key, units in figures.items() if units and not current.get(key)}
    links = _links_for(store, sorted({(area, industry) for area, level, industry, _ in created
                                      if level == KAB and industry != ALL_INDUSTRIES}))
    update = delta_update(base_iri, current, figures, moved, links)
    if update:
        store.update(update)
    return len(keys)


def _stored_values(store: Store, base_iri: str, keys: set[Key]) -> dict[Key, int]:
    """The stored value of each figure in ``keys`` that the graph holds."""
    by_iri = {observation_iri(base_iri, key): key for key in keys}
    found: dict[Key, int] = {}
    for batch in batches(sorted(by_iri)):
        query = (f"{_PREFIXES}SELECT ?o ?n WHERE {{ VALUES ?o {{ {iri_values(batch)} }} "
                 f"?slice qb:observation ?o . ?o kl:unitTotal ?n }}")
        for r in store.query(query, default_graphs=[aggregates_graph(base_iri)]):
            found[by_iri[r["o"].value]] = int(r["n"].value)
    return found


def delta_update(base_iri: str, current: dict[Key, int], figures: dict[Key, int],
                 moved: dict[tuple[str, str], tuple[frozenset[str], frozenset[str]]],
                 links: dict[tuple[str, str], list[str]]) -> str:
    """One SPARQL update taking the stored figures from ``current`` to ``figures`` (0 removes
    one): a figure that stays keeps its triples but ``kl:unitTotal``; a new one is written whole,
    naming the sentra in ``links``; a kabupaten/kota figure that stays loses the sentra that left
    its pair and names those that entered it (``moved``: pair → (left, entered))."""
    graph = aggregates_graph(base_iri)
    total = ox.NamedNode(KL + "unitTotal")
    named = ox.NamedNode(KL + "industrySentra")
    removed, changed, dropped, added = [], [], [], []
    for key, units in figures.items():
        was = current.get(key, 0)
        o = ox.NamedNode(observation_iri(base_iri, key))
        if was and not units:
            removed.append(o.value)
            continue
        if not was:
            continue  # written whole below, if at all
        if units != was:
            changed.append(o.value)
            added.append(ox.Triple(o, total, ox.Literal(str(units), datatype=ox.NamedNode(XSD + "integer"))))
        area, level, industry, _ = key
        if level == KAB and (area, industry) in moved:
            left, entered = moved[(area, industry)]
            dropped += [ox.Triple(o, named, ox.NamedNode(s)) for s in sorted(left)]
            added += [ox.Triple(o, named, ox.NamedNode(s)) for s in sorted(entered)]
    ops = _deletions(graph, removed)
    for batch in batches(sorted(changed)):
        pattern = f"GRAPH <{graph}> {{ ?o <{total.value}> ?n }}"
        ops.append(f"DELETE {{ {pattern} }} WHERE {{ VALUES ?o {{ {iri_values(batch)} }} {pattern} }}")
    if dropped:
        body = ox.serialize(dropped, format=ox.RdfFormat.N_TRIPLES).decode()
        ops.append(f"DELETE DATA {{ GRAPH <{graph}> {{\n{body}}} }}")
    new = {key: units for key, units in figures.items() if units and not current.get(key, 0)}
    added += triples(base_iri, new, links)
    if added:
        body = ox.serialize(added, format=ox.RdfFormat.N_TRIPLES).decode()
        ops.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}")
    return " ;\n".join(ops)
