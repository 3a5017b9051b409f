"""The media-type table and the Accept parser."""

from __future__ import annotations

import pytest

from kg.errors import NotAcceptable
from kg.formats import (GRAPH_FORMATS, RESULT_FORMATS, accepts_html, choose_format, negotiate,
                        parse_accept)


def test_parse_accept_orders_by_q_then_specificity():
    ranges = parse_accept("*/*;q=0.1, text/*;q=0.5, text/csv;q=0.5, application/json")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("application", "json", 1.0), ("text", "csv", 0.5), ("text", "*", 0.5), ("*", "*", 0.1)]


def test_parse_accept_tolerates_junk_and_empty():
    assert [(r.type, r.subtype) for r in parse_accept(None)] == [("*", "*")]
    assert [(r.type, r.subtype) for r in parse_accept("")] == [("*", "*")]
    ranges = parse_accept("garbage, text/csv;q=abc, application/xml;charset=utf-8;q=0.3, *")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("*", "*", 1.0), ("application", "xml", 0.3), ("text", "csv", 0.0)]
    assert ranges[1].params == (("charset", "utf-8"),)


def test_negotiate_prefers_q_and_the_first_offer_on_ties():
    offered = ["application/sparql-results+json", "text/csv"]
    assert negotiate("text/csv, */*;q=0.5", offered) == "text/csv"
    assert negotiate("*/*", offered) == "application/sparql-results+json"
    assert negotiate("text/*", offered) == "text/csv"
    assert negotiate("text/csv;q=0", offered) is None
    assert negotiate("text/csv;q=0, */*", offered) == "application/sparql-results+json"
    assert negotiate("image/png", offered) is None


def test_choose_format_maps_aliases_and_overrides():
    assert choose_format("application/json", RESULT_FORMATS).key == "json"
    assert choose_format("application/xml", RESULT_FORMATS).key == "xml"
    assert choose_format(None, GRAPH_FORMATS).key == "turtle"
    assert choose_format("application/ld+json", GRAPH_FORMATS).key == "jsonld"
    assert choose_format("text/csv", RESULT_FORMATS, override="tsv").key == "tsv"
    with pytest.raises(NotAcceptable):
        choose_format("text/turtle", RESULT_FORMATS)
    with pytest.raises(NotAcceptable):
        choose_format(None, RESULT_FORMATS, override="yaml")


def test_every_format_has_a_pyoxigraph_serialiser():
    for fmt in RESULT_FORMATS:
        assert fmt.results_format.media_type.split(";")[0] == fmt.media_type
    for fmt in GRAPH_FORMATS:
        assert fmt.rdf_format.media_type.split(";")[0] == fmt.media_type


@pytest.mark.parametrize("accept, html", [
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),
    ("*/*", False),
    (None, False),
    ("application/sparql-results+json", False),
    ("application/sparql-results+xml, text/html;q=0.5", False),
])
def test_accepts_html(accept, html):
    assert accepts_html(accept) is html
