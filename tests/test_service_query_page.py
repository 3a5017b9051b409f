"""The query page for people: editor with prefixes, examples from queries/, no internet assets."""

from __future__ import annotations

import re

from kg.namespaces import PREFIXES
from service.examples import load_examples

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_browser_gets_the_page_with_prefixes_and_examples(client):
    response = client.get("/sparql", headers=BROWSER)
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.data.decode()
    for prefix, iri in PREFIXES.items():
        assert f"PREFIX {prefix}: &lt;{iri}&gt;" in page
    for example in load_examples():
        assert example.summary.replace("'", "&#39;").replace("&", "&amp;")[:40] in page.replace("&amp;amp;", "&amp;") or \
            example.name in page
    assert 'id="permalink"' in page and 'id="download-csv"' in page and 'id="download-json"' in page


def test_permalink_prefills_the_query(client):
    response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}, headers=BROWSER)
    assert "ASK { ?s ?p ?o }</textarea>" in response.data.decode()
    assert '"run": true' in response.data.decode()


def test_no_asset_comes_from_the_internet(client):
    page = client.get("/sparql", headers=BROWSER).data.decode()
    for tag in re.findall(r"<(?:script|link|img)[^>]*>", page):
        assert not re.search(r"(?:src|href)=\"(?:https?:)?//", tag), tag
    for asset in ("sparql.js", "sparql.css"):
        response = client.get(f"/static/{asset}")
        assert response.status_code == 200
        text = response.data.decode()
        assert not re.search(r"(?:import|url\(|fetch\()\s*[\"']?(?:https?:)?//", text)


def test_examples_come_from_queries_folder_with_summaries():
    examples = load_examples()
    for example in examples:
        assert example.query.strip() and example.summary
    if examples:
        assert any(e.summary != e.name for e in examples)
