"""Materialise what the questions need into the inferred graph.

The rules are targeted SPARQL rules generated from the ontology's own axioms: subclass and
subproperty closure, transitive, inverse and symmetric properties (which gives region containment),
plus the shortcut properties the ontology defines over n-ary linkages and memberships.

Scope: containment (the transitive ``kl:within``, the properties below it such as ``kl:locatedIn``
and ``kl:parentRegion``, and those above it such as ``geo:sfWithin``) is not inferred for
instances of the classes in :data:`CONTAINMENT_NOT_MATERIALISED` (``kl:Enterprise``): at national
scale that closure was 8 of the 12 million inferred triples and no question reads it. Everything
that is materialised is an OWL entailment; an enterprise's region is its asserted ``kl:locatedIn``.

The inferred graphs also hold the label index of the ``search`` question: the ``kl:searchKey``
literals of :mod:`kg.search_index` (word prefixes of labels). They are not an entailment but derived
data that must follow the labels the same way: ``materialise`` computes them over the whole store
(streamed to a file and loaded into the work store, like the types), ``infer_delta`` for a
submission's triples, so they are withdrawn with it.

How it runs (measured, see the README's "Reasoning" section), with memory that follows the number
of regions, sentra and linkages and the number of inferred triples, never the store's size:

1. the facts the chain reads (no types but the asserted superclass types, no containment of
   enterprises) are serialised from the store into an in-memory *work store*, in Rust (no Python
   object per triple); the chain runs there, one SPARQL update per rule. The transitive rule
   joins each edge with the closure of the *inner* nodes (objects of an edge that have edges
   themselves: the regions), computed once in Python;
2. the subclass rule reads asserted types only, so it streams straight from the store;
3. only the difference to the stored inferred graph is written (found by index lookups both
   ways, without copying the stored graph): in ONE update transaction when it is small (readers
   see the old inferences or the new ones, never a mix); when it is large (a first load), the new
   triples are added first and the stale ones removed afterwards, in bounded transactions. The
   inferred graph is never emptied: a process that dies half way leaves the old inferences plus
   part of the new ones (and possibly stale ones), and the next run (``klaster init`` or
   ``klaster load``) completes the change.

Why SPARQL rules and not owlrl: see the README's "Reasoning" section (measured there). In short,
owlrl computes the full OWL 2 RL closure in Python over an rdflib graph, which is orders of magnitude
slower at our size and produces far more than the questions use.
"""

from __future__ import annotations

import itertools
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg import search_index
from kg.namespaces import GRAPH_INFERRED, GRAPH_ONTOLOGY, KL, ORG, OWL, RDF, RDFS, graph_iri
from kg.settings import Settings
from kg.sparql_text import batches
from kg.store import EmbeddedStore, Store

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

#: Classes whose instances get no containment inferences (nor do instances of their subclasses).
CONTAINMENT_NOT_MATERIALISED = (KL + "Enterprise",)


@dataclass(frozen=True)
class ReasoningSummary:
    inferred_triples: int
    added: int
    removed: int
    seconds: float
    rules: int


@dataclass(frozen=True)
class Step:
    """One rule: ``CONSTRUCT { template } WHERE { where }`` over the input and what earlier steps
    inferred. ``closure`` names a transitive property instead: the step joins its edges with the
    closure of the inner nodes (see :meth:`_Work._closure_step`); ``where`` is then a filter."""

    template: str
    where: str = ""
    closure: str | None = None


@dataclass(frozen=True)
class Rules:
    #: the chain, without the subclass rule
    steps: tuple[Step, ...]
    #: the subclass rule: ``?s a ?d`` wherever ``?s a ?c`` and ``c ⊑ d`` (None without subclasses)
    types: Step | None
    #: the predicates the rules read or write: the facts copied into the work store
    predicates: frozenset[str]
    #: the containment properties, and the classes whose instances get no containment inferences
    containment: frozenset[str]
    unscoped: frozenset[str]
    #: the classes the subclass rule infers (the superclasses)
    superclasses: frozenset[str]

    @property
    def count(self) -> int:
        return len(self.steps) + (self.types is not None)


#: Above this many changed triples the inferred graph is changed in several bounded transactions
#: instead of one update transaction (SPARQL update writes are several times slower, and hold
#: the whole change in memory).
ATOMIC_LIMIT = 50_000
#: Triples per transaction when the change is large.
CHUNK = 100_000

_IN = "urn:klaster:work:input"
_NEW = "urn:klaster:work:inferred"
_OLD = "urn:klaster:work:stored"
_CTX = "urn:klaster:work:closure"
_NT = ox.RdfFormat.N_TRIPLES


def _column(store: ox.Store, query: str, *names: str) -> list[tuple[str, ...]]:
    return [tuple(s[n].value for n in names) for s in store.query(_PREFIXES + query)]


def build_rules(ontology: ox.Store) -> Rules:
    """The rule chain, and the predicates the rules read or write.

    ``ontology`` holds the ontology's axioms in its default graph.
    """
    transitive = [p for (p,) in _column(
        ontology, "SELECT ?p WHERE { ?p a owl:TransitiveProperty FILTER isIRI(?p) } ORDER BY ?p", "p")]
    symmetric = [p for (p,) in _column(
        ontology, "SELECT ?p WHERE { ?p a owl:SymmetricProperty FILTER isIRI(?p) } ORDER BY ?p", "p")]
    inverses = _column(ontology, "SELECT ?p ?q WHERE { ?p owl:inverseOf ?q "
                       "FILTER(isIRI(?p) && isIRI(?q)) } ORDER BY ?p ?q", "p", "q")
    subproperties = _column(ontology, "SELECT DISTINCT ?p ?q WHERE { ?p rdfs:subPropertyOf+ ?q "
                            "FILTER(isIRI(?p) && isIRI(?q) && ?p != ?q) } ORDER BY ?p ?q", "p", "q")
    subclasses = _column(ontology, "SELECT DISTINCT ?c ?d WHERE { ?c rdfs:subClassOf+ ?d "
                         "FILTER(isIRI(?c) && isIRI(?d) && ?c != ?d) } ORDER BY ?c ?d", "c", "d")

    # containment: the transitive properties and every property below or above one of them
    containment = set(transitive)
    containment |= {p for p, q in subproperties if q in transitive}
    containment |= {q for p, q in subproperties if p in transitive}
    unscoped = set(CONTAINMENT_NOT_MATERIALISED)
    unscoped |= {c for c, d in subclasses if d in CONTAINMENT_NOT_MATERIALISED}
    classes = ", ".join(f"<{c}>" for c in sorted(unscoped))
    out_of_scope = f"FILTER NOT EXISTS {{ ?s a ?unscoped FILTER(?unscoped IN ({classes})) }}"

    def values(pairs: list[tuple[str, ...]], a: str, b: str) -> str:
        rows = " ".join(f"(<{x}> <{y}>)" for x, y in pairs)
        return f"VALUES (?{a} ?{b}) {{ {rows} }}"

    def subproperty() -> list[Step]:
        scoped = [(p, q) for p, q in subproperties if q in containment]
        plain = [(p, q) for p, q in subproperties if q not in containment]
        steps = [Step("?s ?q ?o", f"{values(plain, 'p', 'q')} ?s ?p ?o .")] if plain else []
        if scoped:
            steps.append(Step("?s ?q ?o", f"{values(scoped, 'p', 'q')} ?s ?p ?o . {out_of_scope}"))
        return steps

    steps = [Step(f"{s} kl:{p} {o}", where) for s, p, o, where in _SHORTCUT_RULES]
    steps += subproperty()
    steps += [Step(f"?s <{p}> ?o", out_of_scope, closure=p) for p in transitive]
    steps += subproperty()  # e.g. the kl:within closure → geo:sfWithin
    for p, q in inverses:
        steps.append(Step(f"?s <{q}> ?o", f"?o <{p}> ?s ."))
        steps.append(Step(f"?s <{p}> ?o", f"?o <{q}> ?s ."))
    steps += [Step(f"?s <{p}> ?o", f"?o <{p}> ?s .") for p in symmetric]
    steps += subproperty()
    # The subclass rule reads asserted types only (no other rule infers a type), so it can run
    # apart from the chain, streaming over the store (see materialise).
    types = Step("?s a ?d", f"{values(subclasses, 'c', 'd')} ?s a ?c .") if subclasses else None

    predicates = {RDF + "type", KL + "linkageSource", KL + "linkageTarget", KL + "linkageKind",
                  ORG + "organization", KL + "memberRegion"}
    predicates |= set(transitive) | set(symmetric)
    predicates |= {p for pair in inverses + subproperties for p in pair}
    predicates |= {KL + p for _, p, _, _ in _SHORTCUT_RULES}
    return Rules(tuple(steps), types, frozenset(predicates), frozenset(containment),
                 frozenset(unscoped), frozenset(d for _, d in subclasses))


# -- the work store --------------------------------------------------------------------------------
def _write(result: Iterable[ox.Triple], output: Path | IO[bytes]) -> None:
    """Serialise a CONSTRUCT result (or any triples) as N-Triples to a file or a binary stream."""
    target = str(output) if isinstance(output, Path) else output
    serialize = getattr(result, "serialize", None)
    if serialize is not None:
        serialize(target, format=_NT)
    else:
        ox.serialize(result, target, format=_NT)


def _lines(path: Path) -> int:
    n = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            n += block.count(b"\n")
    return n


class _Work:
    """A scratch pyoxigraph store (graphs IN, NEW, OLD, CTX) and a folder for its files."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.store = ox.Store()
        self._files = itertools.count()

    def file(self) -> Path:
        return self.folder / f"{next(self._files)}.nt"

    def load(self, path: Path, graph: str) -> None:
        self.store.bulk_load(path=str(path), format=_NT, to_graph=ox.NamedNode(graph))

    def count(self, graph: str) -> int:
        result = self.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                  default_graph=ox.NamedNode(graph))
        return int(next(iter(result))["n"].value)

    def infer(self, template: str, where: str) -> None:
        """Add to NEW what ``template`` gives where ``where`` matches over IN and NEW, except
        what IN asserts or NEW holds already."""
        where = (f"{where}\nFILTER NOT EXISTS {{ GRAPH <{_IN}> {{ {template} }} }}\n"
                 f"FILTER NOT EXISTS {{ GRAPH <{_NEW}> {{ {template} }} }}")
        self.store.update(f"{_PREFIXES}INSERT {{ GRAPH <{_NEW}> {{ {template} }} }}\n"
                          f"USING <{_IN}>\nUSING <{_NEW}>\nUSING NAMED <{_IN}>\n"
                          f"USING NAMED <{_NEW}>\nUSING NAMED <{_CTX}>\nWHERE {{ {where} }}")

    def run(self, rules: Rules, *, types: bool = True) -> None:
        """Run the rule chain over IN (and the subclass rule unless ``types`` is false);
        inferences (nothing that IN asserts) go to NEW."""
        for step in rules.steps + ((rules.types,) if types and rules.types else ()):
            if step.closure is not None:
                self._closure_step(step)
            else:
                self.infer(step.template, step.where)

    def _closure_step(self, step: Step) -> None:
        """``?s T ?x . ?x T+ ?o`` for the transitive T: the closure of the inner nodes (objects
        of a T edge that have T edges themselves: the regions) is computed here, once; every
        edge is then joined with it in SPARQL."""
        prop = step.closure
        inner: dict[ox.Term, list[ox.Term]] = {}
        edges = self.store.query(
            f"SELECT DISTINCT ?x ?y WHERE {{ ?x <{prop}> ?y FILTER EXISTS {{ ?z <{prop}> ?x }} }}",
            default_graph=[ox.NamedNode(_IN), ox.NamedNode(_NEW)])
        for row in edges:
            inner.setdefault(row["x"], []).append(row["y"])
        closure: list[ox.Triple] = []
        predicate = ox.NamedNode(prop)
        for start in inner:
            seen: set[ox.Term] = set()
            todo = list(inner[start])
            while todo:
                node = todo.pop()
                if node in seen:
                    continue
                seen.add(node)
                todo.extend(inner.get(node, ()))
            closure.extend(ox.Triple(start, predicate, o) for o in seen)
        path = self.file()
        ox.serialize(closure, str(path), format=_NT)
        del closure, inner
        self.store.clear_graph(ox.NamedNode(_CTX))
        self.load(path, _CTX)
        self.infer(step.template, f"?s <{prop}> ?x . GRAPH <{_CTX}> {{ ?x <{prop}> ?o }} "
                                  f"FILTER(?s != ?o) {step.where}")
        self.store.clear_graph(ox.NamedNode(_CTX))


def _rules_for(store: Store, settings: Settings) -> Rules:
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


# -- materialise -----------------------------------------------------------------------------------
def _chunks(path: Path, size: int) -> Iterator[bytes]:
    """N-Triples text of at most ``size`` triples at a time (one triple per line)."""
    with open(path, "rb") as handle:
        while True:
            lines = list(itertools.islice(handle, size))
            if not lines:
                return
            yield b"".join(lines)


def _apply(store: Store, inferred: str, added: Path, removed: Path, n_added: int,
           n_removed: int) -> None:
    """Make the stored inferred graph lose ``removed`` and gain ``added``."""
    if not n_added and not n_removed:
        return
    if n_added + n_removed <= ATOMIC_LIMIT:  # one transaction: old or new, never a mix
        store.update(f"DELETE DATA {{ GRAPH <{inferred}> {{\n{removed.read_text('utf-8')}}} }} ;\n"
                     f"INSERT DATA {{ GRAPH <{inferred}> {{\n{added.read_text('utf-8')}}} }}")
        return
    # Large: add first, then remove, each in bounded transactions. Until the end readers see the
    # old inferences plus part of the new ones; the graph is never empty.
    for text in _chunks(added, CHUNK):
        store.load(text, format=_NT, graph=inferred)
    for text in _chunks(removed, CHUNK // 2):
        store.update(f"DELETE DATA {{ GRAPH <{inferred}> {{\n{text.decode('utf-8')}}} }}")


def _embedded(store: Store) -> EmbeddedStore | None:
    inner = getattr(store, "inner", store)  # kg.executor.GuardedStore wraps the store
    return inner if isinstance(inner, EmbeddedStore) else None


def _copy_facts(store: Store, rules: Rules, sources: list[str], path: Path) -> None:
    """Write to ``path`` the facts the chain reads: no types but those the subclass rule infers
    (to tell what is asserted), and no containment of the unscoped classes' instances (a MINUS:
    one hash anti-join, not a lookup per containment triple)."""
    def iris(items: Iterable[str]) -> str:
        return " ".join(f"<{i}>" for i in sorted(items))

    containment = rules.containment & rules.predicates
    branches = [f"{{ VALUES ?p {{ {iris(rules.predicates - containment - {RDF + 'type'})} }} ?s ?p ?o }}"]
    if containment:
        scope = (f" MINUS {{ VALUES ?x {{ {iris(rules.unscoped)} }} ?s a ?x }}"
                 if rules.unscoped else "")
        branches.append(f"{{ {{ VALUES ?p {{ {iris(containment)} }} ?s ?p ?o }}{scope} }}")
    if rules.superclasses:
        branches.append(f"{{ VALUES ?o {{ {iris(rules.superclasses)} }} ?s a ?o BIND(<{RDF}type> AS ?p) }}")
    _write(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {' UNION '.join(branches)} }}",
                       default_graphs=sources), path)


def _slices(store: Store, inferred: str, work: _Work) -> list[tuple[str, str | None]]:
    """(predicate, class) pairs that split the new and stored inferred triples into slices of
    bounded size: one per predicate, and one per class for ``rdf:type``."""
    predicates = {row["p"].value for row in store.query(
        "SELECT DISTINCT ?p WHERE { ?s ?p ?o }", default_graphs=[inferred])}
    predicates |= {row["p"].value for row in work.store.query(
        "SELECT DISTINCT ?p WHERE { ?s ?p ?o }", default_graph=ox.NamedNode(_NEW))}
    slices: list[tuple[str, str | None]] = [(p, None) for p in sorted(predicates - {RDF + "type"})]
    if RDF + "type" in predicates:
        classes: set[str] = set()
        for result in (store.query("SELECT DISTINCT ?o WHERE { ?s a ?o }", default_graphs=[inferred]),
                       work.store.query("SELECT DISTINCT ?o WHERE { ?s a ?o }",
                                        default_graph=ox.NamedNode(_NEW))):
            classes |= {row["o"].value for row in result if isinstance(row["o"], ox.NamedNode)}
        slices += [(RDF + "type", c) for c in sorted(classes)]
    return slices


def _pattern(predicate: str, cls: str | None) -> str:
    return f"?s <{predicate}> {'?o' if cls is None else f'<{cls}>'}"


def _diff(store: Store, inferred: str, work: _Work, folder: Path) -> tuple[Path, Path, int, int]:
    """N-Triples files of what the stored inferred graph lacks of NEW and holds beyond it,
    compared slice by slice (one predicate, or one class), so that memory never holds more than
    one slice of the stored graph."""
    added, removed = folder / "added.nt", folder / "removed.nt"
    embedded = _embedded(store)
    with open(added, "wb") as plus, open(removed, "wb") as minus:
        for predicate, cls in _slices(store, inferred, work):
            if embedded is not None:
                _diff_embedded(embedded.raw, inferred, work.store, predicate, cls, plus, minus)
                continue
            # another store: copy the slice here (serialised, in Rust) and compare here
            pattern = _pattern(predicate, cls)
            stored = folder / "stored.nt"
            _write(store.query(f"CONSTRUCT {{ {pattern} }} WHERE {{ {pattern} }}",
                               default_graphs=[inferred]), stored)
            work.load(stored, _OLD)
            stored.unlink()
            for handle, a, b in ((plus, _NEW, _OLD), (minus, _OLD, _NEW)):
                _write(work.store.query(f"CONSTRUCT {{ {pattern} }} WHERE {{ GRAPH <{a}> {{ {pattern} }} "
                                        f"FILTER NOT EXISTS {{ GRAPH <{b}> {{ {pattern} }} }} }}"),
                       handle)
            work.store.clear_graph(ox.NamedNode(_OLD))
    return added, removed, _lines(added), _lines(removed)


def _diff_embedded(raw: ox.Store, inferred: str, work: ox.Store, predicate: str, cls: str | None,
                   plus: IO[bytes], minus: IO[bytes]) -> None:
    """One slice against the embedded store, by index lookups. The stored slice is read (which
    costs a string lookup per term) only when it holds triples beyond those NEW shares with it:
    its size is counted without reading it."""
    graph, new = ox.NamedNode(inferred), ox.NamedNode(_NEW)
    p, o = ox.NamedNode(predicate), None if cls is None else ox.NamedNode(cls)
    fresh = shared = 0
    quads = work.quads_for_pattern(None, p, o, new)
    while chunk := list(itertools.islice(quads, CHUNK)):
        batch = [q.triple for q in chunk if ox.Quad(q.subject, p, q.object, graph) not in raw]
        shared += len(chunk) - len(batch)
        if batch:
            fresh += len(batch)
            ox.serialize(batch, plus, format=_NT)
    pattern = _pattern(predicate, cls)
    count = raw.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", default_graph=graph)
    if int(next(iter(count))["n"].value) == shared:
        return  # the stored slice is exactly what NEW shares with it
    quads = raw.quads_for_pattern(None, p, o, graph)
    while chunk := list(itertools.islice(quads, CHUNK)):
        batch = [q.triple for q in chunk if ox.Quad(q.subject, p, q.object, new) not in work]
        if batch:
            ox.serialize(batch, minus, format=_NT)


def materialise(store: Store, settings: Settings) -> ReasoningSummary:
    """Recompute the main inferred graph from every graph but submissions and inferences.

    The chain runs in an in-memory work store over the facts it reads (without the types, whose
    rule streams over the store), so memory follows the number of regions, sentra and linkages
    plus the inferred types, not the store's size. The change is written as described in the
    module's documentation: one transaction when small; else additions, then removals."""
    started = time.perf_counter()
    inferred = graph_iri(settings.base_iri, GRAPH_INFERRED)
    rules = _rules_for(store, settings)
    sources = [g for g in store.graphs()
               if not is_inferred_graph(settings, g) and not is_own_graph(settings, g)]
    with tempfile.TemporaryDirectory(prefix="klaster-reason-") as tmp:
        folder = Path(tmp)
        work = _Work(folder)
        if sources:
            facts = folder / "input.nt"
            _copy_facts(store, rules, sources, facts)
            work.load(facts, _IN)
            facts.unlink()
        work.run(rules, types=False)
        if sources and rules.types is not None:  # the subclass rule, straight from the store
            types = folder / "types.nt"
            _write(store.query(f"{_PREFIXES}CONSTRUCT {{ {rules.types.template} }} "
                               f"WHERE {{ {rules.types.where} }}", default_graphs=sources), types)
            work.load(types, _NEW)
            types.unlink()
            work.store.update(f"DELETE {{ GRAPH <{_NEW}> {{ ?s a ?o }} }} "
                              f"WHERE {{ GRAPH <{_IN}> {{ ?s a ?o }} }}")
        if sources:  # the label index of the search question (kg.search_index), streamed too
            keys = folder / "keys.nt"
            with open(keys, "wb") as handle:
                search_index.write_index(store, sources, handle)
            work.load(keys, _NEW)
            keys.unlink()
        new_count = work.count(_NEW)
        added, removed, n_added, n_removed = _diff(store, inferred, work, folder)
        del work
        _apply(store, inferred, added, removed, n_added, n_removed)
    return ReasoningSummary(new_count, n_added, n_removed, time.perf_counter() - started,
                            rules.count)


# -- the inferences of a submission ----------------------------------------------------------------
def _already_stored(store: Store, graphs: list[str], triples: list[ox.Triple]) -> set[ox.Triple]:
    """Which of ``triples`` some graph in ``graphs`` already holds."""
    embedded = _embedded(store)
    if embedded is not None:  # direct index lookups: no query text per batch
        raw, wanted = embedded.raw, {ox.NamedNode(g) for g in graphs}
        # most candidates are about the submission's new resources: one lookup per subject
        known = {s for s in {t.subject for t in triples}
                 if next(iter(raw.quads_for_pattern(s, None, None, None)), None) is not None}
        return {t for t in triples if t.subject in known
                and any(q.graph_name in wanted
                        for q in raw.quads_for_pattern(t.subject, t.predicate, t.object, None))}
    stored: set[ox.Triple] = set()
    for batch in batches(triples, 500):
        data = ox.serialize(batch, format=_NT).decode()
        rows_values = data.replace(" .\n", ")\n(").rstrip("(\n")
        found = store.query(f"SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p ?o) {{ ({rows_values} }} "
                            f"?s ?p ?o }}", default_graphs=graphs)
        stored.update(ox.Triple(r["s"], r["p"], r["o"]) for r in found)
    return stored


def infer_delta(store: Store, settings: Settings, triples: Iterable[ox.Triple], *,
                exclude: tuple[str, ...] = ()) -> list[ox.Triple]:
    """The inferences that adding ``triples`` to the store would add, and nothing else.

    The rules are monotonic, and the stored inferences are already closed, so one hop of context
    suffices: the stored facts (asserted or inferred) about every IRI the new triples mention. The
    result leaves out whatever the store already holds. ``exclude`` names graphs to ignore (the
    graphs a replacement retires). Used for submissions: their inferences go in the same
    transaction as their data and are dropped with it.
    """
    rules = _rules_for(store, settings)
    predicates = rules.predicates
    graphs = [g for g in store.graphs() if g not in exclude]
    triples = list(triples)
    keys = search_index.delta(store, graphs, triples)  # the search keys of what it labels
    relevant = [t for t in triples if t.predicate.value in predicates]
    mentioned = sorted({term.value for t in relevant for term in (t.subject, t.object)
                        if isinstance(term, ox.NamedNode)})
    with tempfile.TemporaryDirectory(prefix="klaster-infer-") as tmp:
        work = _Work(Path(tmp))
        source = ox.NamedNode(_IN)
        work.store.extend(ox.Quad(t.subject, t.predicate, t.object, source) for t in relevant)
        del relevant
        # FILTER IN, not a second VALUES block: pyoxigraph joins two VALUES blocks before the
        # pattern and then scans, which took 13 s per batch on the seeded store (13 ms with it).
        rows = ", ".join(f"<{p}>" for p in sorted(predicates))
        for batch in batches(mentioned):
            values = " ".join(f"<{iri}>" for iri in batch)
            context = store.query(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o "
                f"FILTER (?p IN ({rows})) }}", default_graphs=graphs)
            work.store.extend(ox.Quad(t.subject, t.predicate, t.object, source) for t in context)
        work.run(rules)
        candidates = [q.triple for q in work.store.quads_for_pattern(None, None, None,
                                                                     ox.NamedNode(_NEW))]
        candidates += sorted(keys, key=str)
        del work
    checkable = [t for t in candidates  # a blank node of the submission cannot be stored yet
                 if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)]
    stored = _already_stored(store, graphs, checkable)
    return [t for t in candidates if t not in stored]
