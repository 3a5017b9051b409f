"""Lexical helpers for SPARQL text: dataset clauses, USING injection, groups and VALUES blocks."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import BadRequest
from kg.sparql_text import (add_using, enclosing_group, has_dataset_clause, has_using_or_with, mask,
                            values_block)


def test_mask_blanks_strings_iris_and_comments_keeping_positions():
    text = 'SELECT * # FROM here\nWHERE { ?s ?p "FROM" . ?s <http://x/FROM> ?o }'
    masked = mask(text)
    assert len(masked) == len(text) and masked.count("\n") == 1
    assert "FROM" not in masked


@pytest.mark.parametrize("query, expected", [
    ("SELECT * FROM <http://g> { ?s ?p ?o }", True),
    ("select * from named <http://g> { graph ?g { ?s ?p ?o } }", True),
    ("SELECT ?from WHERE { ?from ?p 'FROM' } # FROM", False),
    ("PREFIX from: <http://x/> SELECT * { ?s from:p ?o }", False),
])
def test_has_dataset_clause(query, expected):
    assert has_dataset_clause(query) is expected


def test_has_using_or_with():
    assert has_using_or_with("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert has_using_or_with("DELETE { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }")
    assert not has_using_or_with("INSERT DATA { <http://s> <http://p> 'USING WITH' }")


def test_add_using_applies_to_every_modify_but_not_delete_where():
    update = ("CLEAR ALL ; INSERT DATA { <http://a> <http://b> <http://c> } ;\n"
              "INSERT { ?s a <http://T> } WHERE { ?s ?p ?o { SELECT * WHERE { ?x ?y ?z } } } ;\n"
              "DELETE WHERE { ?s <http://gone> ?o }")
    rewritten = add_using(update, ["http://g1"], ["http://g2"])
    assert rewritten.count("USING <http://g1> USING NAMED <http://g2> WHERE") == 1
    assert "DELETE WHERE" in rewritten
    ox.Store().update(rewritten)  # still valid SPARQL


def test_add_using_rejects_bad_iris():
    with pytest.raises(BadRequest):
        add_using("INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }", ["http://x> } ; DROP ALL ; #"], [])


def test_enclosing_group_skips_braces_in_strings_iris_and_comments() -> None:
    text = 'SELECT * WHERE { ?a ?b "}" . { SELECT ?x WHERE { ?x ?y "{" } LIMIT 3  # a } brace\n } }'
    start, end = enclosing_group(text, text.index("LIMIT"))
    assert text[start:end] == '{ SELECT ?x WHERE { ?x ?y "{" } LIMIT 3  # a } brace\n }'
    with pytest.raises(ValueError):
        enclosing_group("SELECT * WHERE { ?a ?b ?c } LIMIT 3", len("SELECT * WHERE { ?a ?b ?c } "))


def test_values_block_writes_terms_and_undef_and_refuses_blank_nodes() -> None:
    rows = [(ox.NamedNode("http://example.org/a"), ox.Literal('say "hi"', language="id")),
            (None, ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))]
    block = values_block(["a", "b"], rows)
    found = ox.Store().query(f"SELECT ?a ?b WHERE {{ {block} }}")
    assert [(s["a"], s["b"]) for s in found] == rows
    assert list(ox.Store().query(f"SELECT ?a WHERE {{ {values_block(['a'], [])} }}")) == []
    with pytest.raises(ValueError, match="blank node"):
        values_block(["a"], [(ox.BlankNode(),)])
