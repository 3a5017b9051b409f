"""Bindings for a remote store: terms written into the query text behave like pyoxigraph
substitutions (no server needed: both forms run on the embedded store and must agree)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import BadRequest
from kg.params import normalise, to_term
from kg.questions import load_questions
from kg.store import query_options
from kg.substitute import query_form, substitute

BASE = "https://w3id.org/klaster/id/"


#: Columns made by GROUP_CONCAT, whose item order SPARQL leaves to the engine (and the plan).
CONCATENATED = {"shared_items", "shared_item_iris", "industry_codes", "products"}


def _cell(column: str, term) -> object:
    if term is None:
        return None
    if column in CONCATENATED and isinstance(term, ox.Literal):
        return tuple(sorted(term.value.replace("; ", " ").split(" ")))
    return str(term)


def _rows(result) -> list[tuple]:
    return sorted((tuple(_cell(v.value, s[v]) for v in result.variables) for s in result),
                  key=repr)


def test_every_question_substituted_in_text_equals_pyoxigraph_substitutions(seeded_store: Path) -> None:
    store = ox.Store.read_only(str(seeded_store))
    for name, question in load_questions(base_iri=BASE).items():
        every = {p.name: to_term(p, normalise(p, p.example, BASE)) for p in question.bound_params}
        required = {k: v for k, v in every.items()
                    if question.param(k).required or k in question.require_one_of[:1]}
        for bindings in (required, every):
            expected = _rows(store.query(question.sparql,
                                         **query_options(question.sparql, bindings=bindings)))
            text = substitute(question.sparql, bindings)
            got = _rows(store.query(text, use_default_graph_as_union=True))
            assert got == expected, f"{name} with {sorted(bindings)}"


def test_projection_group_by_and_values_are_rewritten() -> None:
    query = ("SELECT ?a ?n WHERE { { SELECT ?a (COUNT(*) AS ?n) WHERE { ?a ?p ?o } GROUP BY ?a } "
             "VALUES (?a ?k) { (<urn:a> 1) (<urn:b> 2) (UNDEF 3) } } ORDER BY ?a")
    text = substitute(query, {"a": ox.NamedNode("urn:a")})
    assert "GROUP BY (<urn:a>)" in text
    assert '(IRI("urn:a") AS ?a)' in text  # inside the sub-SELECT, which then provides ?a
    assert "VALUES (?k) { (" in text and "<urn:b>" not in text
    assert "SELECT ?a ?n" in text  # the outer projection keeps the variable
    ox.Store().query(text)  # valid SPARQL


def test_a_variable_a_sub_select_does_not_project_stays_a_variable() -> None:
    query = "SELECT ?a WHERE { ?a ?p ?o { SELECT ?o WHERE { ?a ?q ?o } } }"
    text = substitute(query, {"a": ox.NamedNode("urn:a")})
    assert text == 'SELECT (IRI("urn:a") AS ?a) WHERE { <urn:a> ?p ?o { SELECT ?o WHERE { ?a ?q ?o } } }'


@pytest.mark.parametrize("hostile", ['x" } ; DROP ALL #', "a\nb'''\"\"\"", "\\u0022 }", "?a <urn:x>"])
def test_hostile_text_stays_one_literal(hostile: str) -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal(hostile)))
    text = substitute('SELECT ?q ?s WHERE { ?s <urn:p> ?q }', {"q": ox.Literal(hostile)})
    rows = list(store.query(text))
    assert [r["s"] for r in rows] == [ox.NamedNode("urn:s")]
    assert rows[0]["q"] == ox.Literal(hostile)


def test_strings_comments_and_iris_are_left_alone() -> None:
    query = 'SELECT ?a WHERE { ?a <urn:p?a> "?a" } # ?a'
    assert substitute(query, {"a": ox.NamedNode("urn:x")}) == \
        'SELECT (IRI("urn:x") AS ?a) WHERE { <urn:x> <urn:p?a> "?a" } # ?a'


def test_a_projected_iri_stays_an_iri_through_an_ordered_union() -> None:
    """Virtuoso 7.2 turns ``(<iri> AS ?v)`` projected in every UNION branch of an ordered query
    into a string; the substitution writes ``IRI("…")``, which is the same IRI everywhere."""
    query = ("SELECT ?a ?o WHERE { { SELECT ?a ?o WHERE { ?a <urn:p> ?o } } UNION "
             "{ SELECT ?a ?o WHERE { ?a <urn:q> ?o } } } ORDER BY ?o")
    store = ox.Store()
    for p, o in (("urn:p", "1"), ("urn:q", "2")):
        store.add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode(p), ox.Literal(o)))
    text = substitute(query, {"a": ox.NamedNode("urn:x")})
    assert text.count('(IRI("urn:x") AS ?a)') == 2
    assert [r["a"] for r in store.query(text)] == [ox.NamedNode("urn:x")] * 2


def test_blank_nodes_and_assigned_variables_are_refused() -> None:
    with pytest.raises(BadRequest):
        substitute("SELECT ?a WHERE { ?a ?p ?o }", {"a": ox.BlankNode()})
    with pytest.raises(BadRequest):
        substitute("SELECT ?a WHERE { BIND(1 AS ?a) }", {"a": ox.Literal("1")})


def test_query_form() -> None:
    assert query_form("PREFIX select: <urn:x>\n# ASK\nCONSTRUCT WHERE { ?s ?p ?o }") == "CONSTRUCT"
    assert query_form("ask {}") == "ASK"
    with pytest.raises(BadRequest):
        query_form("INSERT DATA {}")
