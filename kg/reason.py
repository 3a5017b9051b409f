"""Materialise what the questions need into the inferred graph.

The rules are targeted SPARQL updates generated from the ontology's own axioms: subclass and
subproperty closure, transitive, inverse and symmetric properties (which gives region containment),
plus the shortcut properties the ontology defines over n-ary linkages and memberships.

How it runs (measured, see the README's "Reasoning" section): the facts the rules read (triples
whose predicate occurs in a rule) are copied from the store into an in-memory pyoxigraph work store,
where the whole rule chain runs in one update (a few seconds for the 91,599 regions; the same update
against RocksDB on disk took over a minute). The new inferred graph is compared with the stored one
and only the difference is written: in ONE update transaction when it is small (a load or a
submission: readers see the old inferences or the new ones, never a mix), or by a bulk rewrite when
it is large (first seeding).

Why SPARQL rules and not owlrl: see the README's "Reasoning" section (measured there). In short,
owlrl computes the full OWL 2 RL closure in Python over an rdflib graph, which is orders of magnitude
slower at our size and produces far more than the questions use.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespaces import GRAPH_INFERRED, GRAPH_ONTOLOGY, KL, ORG, OWL, RDF, RDFS, graph_iri
from kg.settings import Settings
from kg.store import Store

_PREFIXES = (f"PREFIX kl: <{KL}>\nPREFIX rdf: <{RDF}>\nPREFIX rdfs: <{RDFS}>\nPREFIX owl: <{OWL}>\n"
             f"PREFIX org: <{ORG}>\n")

#: Shortcut properties over the n-ary linkage and membership patterns: (subject, property,
#: object, pattern) — the shortcut holds wherever the pattern matches.
_SHORTCUT_RULES = (
    ("?a", "linkedWith", "?b", "?l kl:linkageSource ?a ; kl:linkageTarget ?b ."),
    ("?a", "suppliesTo", "?b",
     "?l kl:linkageSource ?a ; kl:linkageTarget ?b ; kl:linkageKind kl:ProductLinkage ."),
    ("?a", "sharesTechnologyWith", "?b",
     "?l kl:linkageSource ?a ; kl:linkageTarget ?b ; kl:linkageKind kl:TechnologyLinkage ."),
    ("?a", "sharesSkillsWith", "?b",
     "?l kl:linkageSource ?a ; kl:linkageTarget ?b ; kl:linkageKind kl:HumanResourceLinkage ."),
    ("?a", "sharesFinancingWith", "?b",
     "?l kl:linkageSource ?a ; kl:linkageTarget ?b ; kl:linkageKind kl:FinancingLinkage ."),
    ("?area", "hasMemberRegion", "?region", "?m org:organization ?area ; kl:memberRegion ?region ."),
)


@dataclass(frozen=True)
class ReasoningSummary:
    inferred_triples: int
    added: int
    removed: int
    seconds: float
    rules: int


#: Above this many changed triples the inferred graph is rewritten in bulk instead of in one
#: update transaction (SPARQL update writes are several times slower than bulk inserts).
ATOMIC_LIMIT = 50_000

_IN = "urn:klaster:work:input"
_NEW = "urn:klaster:work:inferred"
_OLD = "urn:klaster:work:stored"


def _column(store: ox.Store, query: str, *names: str) -> list[tuple[str, ...]]:
    return [tuple(s[n].value for n in names) for s in store.query(_PREFIXES + query)]


def build_rules(ontology: ox.Store) -> tuple[list[str], set[str]]:
    """The rule chain for the work store, and the predicates the rules read or write.

    ``ontology`` holds the ontology's axioms in its default graph.
    """
    transitive = [p for (p,) in _column(
        ontology, "SELECT ?p WHERE { ?p a owl:TransitiveProperty FILTER isIRI(?p) }", "p")]
    symmetric = [p for (p,) in _column(
        ontology, "SELECT ?p WHERE { ?p a owl:SymmetricProperty FILTER isIRI(?p) }", "p")]
    inverses = _column(ontology, "SELECT ?p ?q WHERE { ?p owl:inverseOf ?q "
                       "FILTER(isIRI(?p) && isIRI(?q)) }", "p", "q")
    subproperties = _column(ontology, "SELECT ?p ?q WHERE { ?p rdfs:subPropertyOf+ ?q "
                            "FILTER(isIRI(?p) && isIRI(?q) && ?p != ?q) }", "p", "q")
    subclasses = _column(ontology, "SELECT ?c ?d WHERE { ?c rdfs:subClassOf+ ?d "
                         "FILTER(isIRI(?c) && isIRI(?d) && ?c != ?d) }", "c", "d")

    using = f"USING <{_IN}>\nUSING <{_NEW}>\n"

    def rule(template: str, where: str) -> str:
        return f"INSERT {{ GRAPH <{_NEW}> {template} }}\n{using}WHERE {{ {where} }}"

    def values(pairs: list[tuple[str, ...]], a: str, b: str) -> str:
        rows = " ".join(f"(<{x}> <{y}>)" for x, y in pairs)
        return f"VALUES (?{a} ?{b}) {{ {rows} }}"

    subproperty = rule("{ ?s ?q ?o }", f"{values(subproperties, 'p', 'q')} ?s ?p ?o .")
    ops = [rule(f"{{ {s} kl:{p} {o} }}", where) for s, p, o, where in _SHORTCUT_RULES]
    ops.append(subproperty)
    ops += [rule(f"{{ ?a <{p}> ?b }}", f"?a <{p}> ?x . ?x <{p}>+ ?b . FILTER(?a != ?b)")
            for p in transitive]
    ops.append(subproperty)  # e.g. the kl:within closure → geo:sfWithin
    for p, q in inverses:
        ops.append(rule(f"{{ ?b <{q}> ?a }}", f"?a <{p}> ?b ."))
        ops.append(rule(f"{{ ?b <{p}> ?a }}", f"?a <{q}> ?b ."))
    ops += [rule(f"{{ ?b <{p}> ?a }}", f"?a <{p}> ?b .") for p in symmetric]
    ops.append(subproperty)
    ops.append(rule("{ ?x a ?d }", f"{values(subclasses, 'c', 'd')} ?x a ?c ."))
    # nothing already asserted is repeated in the inferred graph
    ops.append(f"DELETE {{ GRAPH <{_NEW}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{_IN}> {{ ?s ?p ?o }} "
               f"GRAPH <{_NEW}> {{ ?s ?p ?o }} }}")

    predicates = {RDF + "type", KL + "linkageSource", KL + "linkageTarget", KL + "linkageKind",
                  ORG + "organization", KL + "memberRegion"}
    predicates |= set(transitive) | set(symmetric)
    predicates |= {p for pair in inverses + subproperties for p in pair}
    predicates |= {KL + p for _, p, _, _ in _SHORTCUT_RULES}
    return ops, predicates


def _copy(store: Store, graphs: list[str], predicates: set[str], work: ox.Store) -> None:
    """Copy the triples the rules read from ``graphs`` of ``store`` into the work store."""
    if not graphs:
        return
    rows = " ".join(f"<{p}>" for p in sorted(predicates))
    triples = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?p {{ {rows} }} ?s ?p ?o }}",
                          default_graphs=graphs)
    target = ox.NamedNode(_IN)
    work.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in triples)


def _difference(work: ox.Store, graph: str, minus: str) -> str:
    return (f"WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH <{minus}> {{ ?s ?p ?o }} }} }}")


def _count(work: ox.Store, where: str) -> int:
    return int(next(iter(work.query(f"SELECT (COUNT(*) AS ?n) {where}")))["n"].value)


def _ntriples(work: ox.Store, where: str) -> str:
    text = ox.serialize(work.query(f"CONSTRUCT {{ ?s ?p ?o }} {where}"),
                        format=ox.RdfFormat.N_TRIPLES)
    return (text or b"").decode()


def _rules_for(store: Store, settings: Settings) -> tuple[list[str], set[str]]:
    axioms = ox.Store()
    axioms.extend(ox.Quad(t.subject, t.predicate, t.object)
                  for t in store.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graphs=[
                      graph_iri(settings.base_iri, GRAPH_ONTOLOGY)]))
    return build_rules(axioms)


def is_inferred_graph(settings: Settings, graph: str) -> bool:
    inferred = graph_iri(settings.base_iri, GRAPH_INFERRED)
    return graph == inferred or graph.startswith(inferred + "/")


def is_own_graph(settings: Settings, graph: str) -> bool:
    """Graphs whose inferences live in their own inferred graph (submissions)."""
    return graph.startswith(graph_iri(settings.base_iri, "submission/"))


def inferred_graph_for(base_iri: str, graph: str) -> str:
    """Where the inferences that ``graph`` alone adds are kept (see :func:`infer_delta`):
    ``{base}graph/submission/X`` → ``{base}graph/inferred/submission/X``."""
    return graph_iri(base_iri, GRAPH_INFERRED) + "/" + graph[len(graph_iri(base_iri, "")):]


def materialise(store: Store, settings: Settings) -> ReasoningSummary:
    """Recompute the main inferred graph from every graph but submissions and inferences."""
    started = time.perf_counter()
    inferred = graph_iri(settings.base_iri, GRAPH_INFERRED)
    ops, predicates = _rules_for(store, settings)

    work = ox.Store()
    sources = [g for g in store.graphs()
               if not is_inferred_graph(settings, g) and not is_own_graph(settings, g)]
    _copy(store, sources, predicates, work)
    work.update(_PREFIXES + " ;\n".join(ops))
    old = ox.NamedNode(_OLD)
    work.extend(ox.Quad(q.subject, q.predicate, q.object, old) for q in store.quads(inferred))

    new_count = _count(work, f"WHERE {{ GRAPH <{_NEW}> {{ ?s ?p ?o }} }}")
    to_add, to_remove = _difference(work, _NEW, _OLD), _difference(work, _OLD, _NEW)
    added_n, removed_n = _count(work, to_add), _count(work, to_remove)
    if added_n + removed_n <= ATOMIC_LIMIT:
        if added_n or removed_n:
            store.update(f"DELETE DATA {{ GRAPH <{inferred}> {{\n{_ntriples(work, to_remove)}}} }} ;\n"
                         f"INSERT DATA {{ GRAPH <{inferred}> {{\n{_ntriples(work, to_add)}}} }}")
    else:
        target = ox.NamedNode(inferred)
        store.drop_graph(inferred)
        store.add(ox.Quad(q.subject, q.predicate, q.object, target)
                  for q in work.quads_for_pattern(None, None, None, ox.NamedNode(_NEW)))
    return ReasoningSummary(new_count, added_n, removed_n, time.perf_counter() - started,
                            len(ops))


def _batches(items: list, size: int = 2_000):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def infer_delta(store: Store, settings: Settings, triples: list[ox.Triple], *,
                exclude: tuple[str, ...] = ()) -> list[ox.Triple]:
    """The inferences that adding ``triples`` to the store would add, and nothing else.

    The rules are monotonic, and the stored inferences are already closed, so one hop of context
    suffices: the stored facts (asserted or inferred) about every IRI the new triples mention. The
    result leaves out whatever the store already holds. ``exclude`` names graphs to ignore (the
    graphs a replacement retires). Used for submissions: their inferences go in the same
    transaction as their data and are dropped with it.
    """
    ops, predicates = _rules_for(store, settings)
    graphs = [g for g in store.graphs() if g not in exclude]
    work = ox.Store()
    source = ox.NamedNode(_IN)
    relevant = [t for t in triples if t.predicate.value in predicates]
    work.extend(ox.Quad(t.subject, t.predicate, t.object, source) for t in relevant)
    mentioned = sorted({term.value for t in relevant for term in (t.subject, t.object)
                        if isinstance(term, ox.NamedNode)})
    # FILTER IN, not a second VALUES block: pyoxigraph joins two VALUES blocks before the pattern
    # and then scans, which took 13 s per batch on the seeded store (13 ms with the FILTER).
    rows = ", ".join(f"<{p}>" for p in sorted(predicates))
    for batch in _batches(mentioned):
        values = " ".join(f"<{iri}>" for iri in batch)
        context = store.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o "
            f"FILTER (?p IN ({rows})) }}", default_graphs=graphs)
        work.extend(ox.Quad(t.subject, t.predicate, t.object, source) for t in context)
    work.update(_PREFIXES + " ;\n".join(ops))
    candidates = [q.triple for q in work.quads_for_pattern(None, None, None, ox.NamedNode(_NEW))]
    checkable = [t for t in candidates  # a blank node of the submission cannot be stored yet
                 if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)]
    stored: set[ox.Triple] = set()
    for batch in _batches(checkable, 500):
        data = ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES).decode()
        rows_values = data.replace(" .\n", ")\n(").rstrip("(\n")
        found = store.query(f"SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p ?o) {{ ({rows_values} }} "
                            f"?s ?p ?o }}", default_graphs=graphs)
        stored.update(ox.Triple(r["s"], r["p"], r["o"]) for r in found)
    return [t for t in candidates if t not in stored]
