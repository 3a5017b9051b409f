"""SHACL shapes compiled into set-based SPARQL queries, run on an in-memory pyoxigraph store.

pySHACL evaluates every constraint node by node in Python (about 5 ms per submitted row with our
shapes): too slow for a 100,000-row spreadsheet. Here each (shape, constraint) becomes ONE SELECT
query returning every focus node that breaks it, which pyoxigraph answers in milliseconds. The
subset of SHACL Core our shapes use is compiled (targets: class, subjects-of, node; paths: IRI and
``sh:alternativePath``; constraints: class, datatype, nodeKind, in, hasValue, min/max inclusive and
exclusive, pattern, minCount, maxCount, disjoint, not, or, and, node, property) plus SHACL-SPARQL
``sh:sparql`` constraints. A shape using anything else fails to compile, loudly; a test runs pySHACL
on the same data and checks both report the same results.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection

from kg.namespaces import RDF, RDFS, SH, XSD

_S = rdflib.Namespace(SH)
_TYPE = rdflib.URIRef(RDF + "type")
_SEVERITY = {SH + "Violation": "violation", SH + "Warning": "warning", SH + "Info": "info"}
_CASTABLE = {XSD + t for t in ("integer", "decimal", "boolean", "double", "float", "date", "dateTime")}
_NODE_KINDS = {
    SH + "IRI": "isIRI({v})", SH + "Literal": "isLiteral({v})", SH + "BlankNode": "isBlank({v})",
    SH + "BlankNodeOrIRI": "(isBlank({v}) || isIRI({v}))",
    SH + "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    SH + "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}
_COMPARISONS = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}
#: Predicates of a shape that state no constraint.
_NON_CONSTRAINTS = {RDF + "type", SH + "message", SH + "severity", SH + "name", SH + "description",
                    SH + "targetClass", SH + "targetSubjectsOf", SH + "targetNode",
                    SH + "targetObjectsOf", SH + "declare", SH + "order", SH + "group", SH + "path",
                    SH + "deactivated"}
_VALUE_CONSTRAINTS = {"class", "datatype", "nodeKind", "in", "pattern", "node", "or", "not", "and",
                      *_COMPARISONS}


class ShapeCompileError(ValueError):
    """A shape uses a SHACL feature this compiler does not implement."""


@dataclass(frozen=True)
class Check:
    """One constraint of one shape, as a query returning its results (``?this``, ``?value``…)."""

    shape: str
    component: str
    severity: str
    messages: dict[str, str]
    path: str | None
    sparql: str


@dataclass(frozen=True)
class Result:
    check: Check
    focus: ox.Term
    value: ox.Term | None
    path: str | None
    bindings: dict[str, ox.Term]


def _n3(term: rdflib.term.Node) -> str:
    if isinstance(term, rdflib.BNode):
        raise ShapeCompileError("a blank node cannot be used as a constant in a shape")
    return term.n3()


class _Compiler:
    def __init__(self, graph: rdflib.Graph) -> None:
        self.g = graph
        self.counter = itertools.count(1)

    def var(self) -> str:
        return f"?v{next(self.counter)}"

    def local(self, predicate: rdflib.term.Node) -> str:
        return str(predicate)[len(SH):] if str(predicate).startswith(SH) else str(predicate)

    def items(self, node: rdflib.term.Node) -> list[rdflib.term.Node]:
        return list(Collection(self.g, node))

    # -- paths --------------------------------------------------------------------------------------
    def path_predicates(self, path: rdflib.term.Node) -> list[str]:
        if isinstance(path, rdflib.URIRef):
            return [str(path)]
        alternatives = self.g.value(path, _S.alternativePath)
        if alternatives is None:
            raise ShapeCompileError(f"unsupported property path {path!r}")
        options = self.items(alternatives)
        if not all(isinstance(p, rdflib.URIRef) for p in options):
            raise ShapeCompileError("only IRIs may be alternatives of a path")
        return [str(p) for p in options]

    def path_pattern(self, subject: str, path: rdflib.term.Node, obj: str,
                     path_var: str | None = None) -> str:
        """A graph pattern linking ``subject`` to ``obj`` by ``path`` (binding ``path_var``)."""
        predicates = self.path_predicates(path)
        if path_var is None:
            alternatives = "|".join(f"<{p}>" for p in predicates)
            return f"{subject} {alternatives if len(predicates) == 1 else '(' + alternatives + ')'} {obj} ."
        branches = [f"{{ {subject} <{p}> {obj} . BIND(<{p}> AS {path_var}) }}" for p in predicates]
        return " UNION ".join(branches) + " "

    # -- conformance of one node to a shape, as a SPARQL boolean expression ----------------------------
    def value_condition(self, v: str, predicate: str, obj: rdflib.term.Node) -> str:
        name = predicate[len(SH):]
        if name == "class":
            return f"EXISTS {{ {v} <{RDF}type>/<{RDFS}subClassOf>* {_n3(obj)} }}"
        if name == "datatype":
            dt = str(obj)
            test = f"(isLiteral({v}) && DATATYPE({v}) = <{dt}>"
            if dt in _CASTABLE:
                test += f" && COALESCE(<{dt}>(STR({v})) = <{dt}>(STR({v})), false)"
            return test + ")"
        if name == "nodeKind":
            return _NODE_KINDS[str(obj)].format(v=v)
        if name == "in":
            return f"({v} IN ({', '.join(_n3(i) for i in self.items(obj))}))"
        if name == "pattern":
            return f"(!isBlank({v}) && REGEX(STR({v}), {rdflib.Literal(str(obj)).n3()}))"
        if name in _COMPARISONS:
            return f"COALESCE({v} {_COMPARISONS[name]} {_n3(obj)}, false)"
        if name in ("node", "property"):
            return self.conforms(v, obj)
        if name == "not":
            return f"!({self.conforms(v, obj)})"
        if name == "or":
            return "(" + " || ".join(self.conforms(v, s) for s in self.items(obj)) + ")"
        if name == "and":
            return "(" + " && ".join(self.conforms(v, s) for s in self.items(obj)) + ")"
        if name == "hasValue":
            return f"sameTerm({v}, {_n3(obj)})"
        raise ShapeCompileError(f"unsupported constraint sh:{name}")

    def conforms(self, v: str, shape: rdflib.term.Node) -> str:
        """A SPARQL expression true when the node in ``v`` conforms to ``shape``."""
        path = self.g.value(shape, _S.path)
        parts: list[str] = []
        for predicate, obj in self.g.predicate_objects(shape):
            p = str(predicate)
            if p in _NON_CONSTRAINTS:
                continue
            if not p.startswith(SH):
                continue  # rdfs:comment and other annotations
            name = p[len(SH):]
            if path is None:
                parts.append(self.value_condition(v, p, obj))
                continue
            y = self.var()
            pattern = self.path_pattern(v, path, y)
            if name == "minCount":
                if int(obj) > 1:
                    raise ShapeCompileError("nested sh:minCount above 1 is not supported")
                parts.append(f"EXISTS {{ {pattern} }}" if int(obj) == 1 else "true")
            elif name == "maxCount" and int(obj) == 0:
                parts.append(f"NOT EXISTS {{ {pattern} }}")
            elif name == "hasValue":
                parts.append(f"EXISTS {{ {pattern} FILTER(sameTerm({y}, {_n3(obj)})) }}")
            elif name in _VALUE_CONSTRAINTS:
                parts.append(f"NOT EXISTS {{ {pattern} FILTER(!({self.value_condition(y, p, obj)})) }}")
            else:
                raise ShapeCompileError(f"unsupported nested constraint sh:{name}")
        return "(" + " && ".join(parts or ["true"]) + ")"

    # -- top-level shapes ---------------------------------------------------------------------------
    def target(self, shape: rdflib.term.Node) -> str | None:
        patterns = []
        for c in self.g.objects(shape, _S.targetClass):
            patterns.append(f"?this <{RDF}type>/<{RDFS}subClassOf>* {_n3(c)} .")
        for p in self.g.objects(shape, _S.targetSubjectsOf):
            patterns.append(f"?this {_n3(p)} [] .")
        for p in self.g.objects(shape, _S.targetObjectsOf):
            patterns.append(f"[] {_n3(p)} ?this .")
        for n in self.g.objects(shape, _S.targetNode):
            patterns.append(f"BIND({_n3(n)} AS ?this)")
        if not patterns:
            return None
        union = " UNION ".join(f"{{ {p} }}" for p in patterns)
        return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"

    def meta(self, shape: rdflib.term.Node, fallback: rdflib.term.Node | None = None):
        severity = self.g.value(shape, _S.severity) or (
            self.g.value(fallback, _S.severity) if fallback is not None else None)
        messages = {m.language or "en": str(m) for m in self.g.objects(shape, _S.message)
                    if isinstance(m, rdflib.Literal)}
        return _SEVERITY.get(str(severity), "violation"), messages

    def node_shape(self, shape: rdflib.term.Node, target: str) -> Iterator[Check]:
        severity, messages = self.meta(shape)
        for predicate, obj in self.g.predicate_objects(shape):
            p = str(predicate)
            if p in _NON_CONSTRAINTS or not p.startswith(SH):
                continue
            name = p[len(SH):]
            if name == "property":
                yield from self.property_shape(obj, target, shape)
            elif name == "sparql":
                yield self.sparql_constraint(shape, obj, target, severity, messages)
            elif name in _VALUE_CONSTRAINTS or name == "hasValue":
                condition = self.value_condition("?this", p, obj)
                yield Check(str(shape), SH + _component(name), severity, messages, None,
                            f"SELECT ?this WHERE {{ {target} FILTER(!({condition})) }}")
            else:
                raise ShapeCompileError(f"unsupported node-shape constraint sh:{name} on {shape}")

    def property_shape(self, shape: rdflib.term.Node, target: str,
                       parent: rdflib.term.Node) -> Iterator[Check]:
        severity, messages = self.meta(shape)
        path = self.g.value(shape, _S.path)
        if path is None:
            raise ShapeCompileError(f"property shape {shape} has no sh:path")
        predicates = self.path_predicates(path)
        single = predicates[0] if len(predicates) == 1 else None
        for predicate, obj in self.g.predicate_objects(shape):
            p = str(predicate)
            if p in _NON_CONSTRAINTS or not p.startswith(SH):
                continue
            name = p[len(SH):]
            component = SH + _component(name)
            if name in ("minCount", "maxCount"):
                pattern = self.path_pattern("?this", path, "?value")
                if name == "minCount":
                    body = f"{target} OPTIONAL {{ {pattern} }}"
                    having = f"COUNT(DISTINCT ?value) < {int(obj)}"
                else:
                    body = f"{target} {pattern}"
                    having = f"COUNT(DISTINCT ?value) > {int(obj)}"
                sparql = f"SELECT ?this WHERE {{ {body} }} GROUP BY ?this HAVING ({having})"
                yield Check(str(shape), component, severity, messages, single, sparql)
            elif name == "disjoint":
                pattern = self.path_pattern("?this", path, "?value", "?path")
                yield Check(str(shape), component, severity, messages, single,
                            f"SELECT ?this ?path ?value WHERE {{ {target} {pattern} ?this {_n3(obj)} ?value . }}")
            elif name in _VALUE_CONSTRAINTS:
                pattern = self.path_pattern("?this", path, "?value", "?path")
                condition = self.value_condition("?value", p, obj)
                yield Check(str(shape), component, severity, messages, single,
                            f"SELECT ?this ?path ?value WHERE {{ {target} {pattern} FILTER(!({condition})) }}")
            elif name == "hasValue":
                pattern = self.path_pattern("?this", path, "?x")
                yield Check(str(shape), component, severity, messages, single,
                            f"SELECT ?this WHERE {{ {target} FILTER NOT EXISTS {{ {pattern} FILTER(sameTerm(?x, {_n3(obj)})) }} }}")
            else:
                raise ShapeCompileError(f"unsupported property-shape constraint sh:{name} on {shape}")

    def prefixes(self, constraint: rdflib.term.Node) -> str:
        lines = []
        for source in self.g.objects(constraint, _S.prefixes):
            for declaration in self.g.objects(source, _S.declare):
                prefix = self.g.value(declaration, _S.prefix)
                namespace = self.g.value(declaration, _S.namespace)
                lines.append(f"PREFIX {prefix}: <{namespace}>")
        return "\n".join(lines) + "\n"

    def sparql_constraint(self, shape, constraint, target: str, severity: str,
                          messages: dict[str, str]) -> Check:
        select = self.g.value(constraint, _S.select)
        if select is None:
            raise ShapeCompileError(f"sh:sparql of {shape} has no sh:select")
        own = {m.language or "en": str(m) for m in self.g.objects(constraint, _S.message)}
        inner = str(select).replace("$this", "?this")
        sparql = f"{self.prefixes(constraint)}SELECT * WHERE {{ {target} {{ {inner} }} }}"
        return Check(str(shape), SH + "SPARQLConstraintComponent", severity, own or messages,
                     None, sparql)


def _component(name: str) -> str:
    return name[0].upper() + name[1:] + "ConstraintComponent"


def compile_shapes(graph: rdflib.Graph) -> tuple[Check, ...]:
    """Every check of every targeted shape in ``graph``."""
    compiler = _Compiler(graph)
    checks: list[Check] = []
    shapes = set(graph.subjects(_TYPE, _S.NodeShape)) | set(graph.subjects(_S.targetClass, None)) \
        | set(graph.subjects(_S.targetSubjectsOf, None))
    for shape in sorted(shapes, key=str):
        target = compiler.target(shape)
        if target is None:
            continue  # used only through sh:node / sh:or
        checks.extend(compiler.node_shape(shape, target))
    for check in checks:  # fail at compile time, not on a steward's file
        try:
            ox.Store().query(check.sparql)
        except SyntaxError as exc:
            raise ShapeCompileError(f"compiled query for {check.shape} does not parse: {exc}") from None
    return tuple(checks)


def run_checks(store: ox.Store, checks: tuple[Check, ...]) -> Iterator[Result]:
    """The results of every check on the data in ``store`` (its default graph)."""
    for check in checks:
        solutions = store.query(check.sparql)
        variables = list(solutions.variables)  # type: ignore[union-attr]
        for solution in solutions:  # type: ignore[union-attr]
            bindings = {v.value: solution[v] for v in variables if solution[v] is not None}
            path = bindings.get("path")
            yield Result(check, bindings["this"], bindings.get("value"),
                         path.value if isinstance(path, ox.NamedNode) else check.path, bindings)
