"""``klaster link`` against a real Oxigraph server playing another agency (a BPS-style endpoint)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from helpers import free_port, running_process

from kg.cli import main
from kg.store import EmbeddedStore

BASE = "https://w3id.org/klaster/id/"
LINKS = BASE + "graph/links"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"

AGENCY_DATA = f"""\
@prefix skos: <{SKOS}> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix bps: <http://bps.example.org/wilayah/> .
bps:3515 rdfs:label "Sidoarjo" ; skos:exactMatch <{BASE}wilayah/35.15> .
bps:3576 rdfs:label "Kota Mojokerto" ; skos:exactMatch <{BASE}wilayah/35.76> .
bps:35 owl:sameAs <{BASE}wilayah/35> .
bps:9999 skos:exactMatch <{BASE}wilayah/99.99> .
bps:3515 rdfs:seeAlso <{BASE}wilayah/35.15> .
bps:3515 skos:exactMatch <http://other.example.org/3515> .
"""

CONSTRUCT = f"""PREFIX skos: <{SKOS}>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}
"""

pytestmark = pytest.mark.skipif(shutil.which("oxigraph") is None,
                                reason="the oxigraph server is not installed (pip install oxigraph)")


@pytest.fixture
def agency(tmp_path: Path):
    port = free_port()
    with running_process(["oxigraph", "serve", "--location", str(tmp_path / "agency"),
                          "--bind", f"127.0.0.1:{port}"], port):
        url = f"http://127.0.0.1:{port}"
        response = requests.post(f"{url}/store?default", data=AGENCY_DATA.encode(),
                                 headers={"Content-Type": "text/turtle"}, timeout=30)
        assert response.status_code in (200, 201, 204), response.text
        yield url


def _links_graph(store_path: Path) -> list[ox.Triple]:
    store = EmbeddedStore(store_path, read_only=True)
    try:
        return [q.triple for q in store.quads(LINKS)]
    finally:
        store.close()


def _has(triples, s, p, o) -> bool:
    return ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)) in set(triples)


def test_link_keeps_our_links_with_provenance_and_rerun_replaces(agency, seeded_store_copy, tmp_path, capsys):
    query = tmp_path / "links.rq"
    query.write_text(CONSTRUCT)
    endpoint = f"{agency}/query"
    assert main(["link", "--endpoint", endpoint, "--query", str(query),
                 "--store", str(seeded_store_copy)]) == 0
    assert "kept 3 of 8" in capsys.readouterr().err
    triples = _links_graph(seeded_store_copy)
    assert _has(triples, "http://bps.example.org/wilayah/3515", SKOS + "exactMatch", BASE + "wilayah/35.15")
    assert _has(triples, "http://bps.example.org/wilayah/35", "http://www.w3.org/2002/07/owl#sameAs",
                BASE + "wilayah/35")
    # not ours, not a link predicate, or our namespace but no such resource: left out
    text = " ".join(str(t) for t in triples)
    assert "99.99" not in text and "seeAlso" not in text and "other.example.org" not in text
    # provenance: derived from the endpoint, when, and the query text
    linksets = [t.subject for t in triples if t.predicate.value == PROV + "wasDerivedFrom"]
    assert len(linksets) == 1
    assert _has(triples, linksets[0].value, PROV + "wasDerivedFrom", endpoint)
    assert any(t.subject == linksets[0] and t.predicate.value == PROV + "generatedAtTime" for t in triples)
    assert any(t.predicate.value == PROV + "value" and t.object.value == CONSTRUCT for t in triples)

    # the agency drops one link and adds another: running again replaces, never duplicates
    requests.post(f"{agency}/update", data=f"""PREFIX skos: <{SKOS}>
        DELETE DATA {{ <http://bps.example.org/wilayah/3576> skos:exactMatch <{BASE}wilayah/35.76> }} ;
        INSERT DATA {{ <http://bps.example.org/wilayah/3524> skos:exactMatch <{BASE}wilayah/35.24> }}""",
                  headers={"Content-Type": "application/sparql-update"}, timeout=30).raise_for_status()
    assert main(["link", "--endpoint", endpoint, "--query", str(query),
                 "--store", str(seeded_store_copy)]) == 0
    err = capsys.readouterr().err
    assert "kept 3 of 8" in err and "replaced 1" in err
    again = _links_graph(seeded_store_copy)
    assert not _has(again, "http://bps.example.org/wilayah/3576", SKOS + "exactMatch", BASE + "wilayah/35.76")
    assert _has(again, "http://bps.example.org/wilayah/3524", SKOS + "exactMatch", BASE + "wilayah/35.24")
    assert len([t for t in again if t.predicate.value == PROV + "wasDerivedFrom"]) == 1
    assert len([t for t in again if t.predicate.value == PROV + "generatedAtTime"]) == 1


def test_select_queries_and_other_endpoints_are_kept_apart(agency, seeded_store_copy, tmp_path):
    construct, select = tmp_path / "c.rq", tmp_path / "s.rq"
    construct.write_text(CONSTRUCT)
    select.write_text(f"SELECT ?s ?o WHERE {{ ?s <{SKOS}exactMatch> ?o }}")
    store = str(seeded_store_copy)
    assert main(["link", "--endpoint", f"{agency}/query", "--query", str(construct), "--store", store]) == 0
    # the same server under another URL counts as another source: its linkset is separate
    other = agency.replace("127.0.0.1", "localhost") + "/query"
    assert main(["link", "--endpoint", other, "--query", str(select), "--store", store]) == 0
    triples = _links_graph(seeded_store_copy)
    assert len({t.subject for t in triples if t.predicate.value == PROV + "wasDerivedFrom"}) == 2
    # an endpoint re-harvested with no links removes only its own linkset's links
    empty = tmp_path / "none.rq"
    empty.write_text("SELECT ?s ?o WHERE { ?s <http://example.org/none> ?o }")
    assert main(["link", "--endpoint", other, "--query", str(empty), "--store", store]) == 0
    after = _links_graph(seeded_store_copy)
    assert _has(after, "http://bps.example.org/wilayah/3515", SKOS + "exactMatch", BASE + "wilayah/35.15")


def test_bad_endpoint_and_unreadable_query_are_one_line_errors(seeded_store_copy, tmp_path, capsys):
    query = tmp_path / "q.rq"
    query.write_text(CONSTRUCT)
    dead = f"http://127.0.0.1:{free_port()}/query"
    assert main(["link", "--endpoint", dead, "--query", str(query), "--timeout", "5",
                 "--store", str(seeded_store_copy)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("klaster: cannot query") and err.count("\n") == 1 and "Traceback" not in err
    assert main(["link", "--endpoint", dead, "--query", str(tmp_path / "missing.rq"),
                 "--store", str(seeded_store_copy)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("klaster: cannot read the query file") and err.count("\n") == 1
    assert main(["link", "--endpoint", "ftp://example.org", "--query", str(query),
                 "--store", str(seeded_store_copy)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
