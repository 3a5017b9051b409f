"""Lexical helpers for the protocol: dataset clauses and USING injection."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import BadRequest
from kg.sparql_text import add_using, has_dataset_clause, has_using_or_with, mask


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
