"""Linked Data publishing: /id/{path} content negotiation, pages, 404s, /ontology, /shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import assert_problem
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

BASE = "https://w3id.org/klaster/id/"
WEDORO = BASE + "sentra/wedoro"
HTML_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def ld_client(seeded_store: Path, tmp_path_factory: pytest.TempPathFactory):
    """The app over a private copy of the seeded store (one query worker)."""
    from kg.settings import Settings
    from kg.store import EmbeddedStore
    from service import create_app

    folder = tmp_path_factory.mktemp("ld")
    source = EmbeddedStore(seeded_store, read_only=True)
    source.backup(folder / "store")
    source.close()
    store = EmbeddedStore(folder / "store")
    app = create_app(Settings(store=str(folder / "store"), query_workers=1, query_timeout=60),
                     store=store)
    yield app.test_client()
    app.extensions["klaster"].close()


@pytest.mark.parametrize("accept, media_type, rdflib_format", [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
])
def test_resource_in_each_rdf_format_round_trips(ld_client, accept, media_type, rdflib_format):
    response = ld_client.get("/id/sentra/wedoro", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert response.headers["Vary"] == "Accept"
    assert response.headers["Content-Location"].startswith("/id/sentra/wedoro?format=")
    graph = Graph().parse(data=response.data, format=rdflib_format)
    labels = {str(o) for o in graph.objects(URIRef(WEDORO), RDFS.label)}
    assert {"Sentra sandal dan sepatu Wedoro", "Wedoro sandal and shoe sentra"} <= labels
    # incoming links are part of the description
    assert (None, None, URIRef(WEDORO)) in graph


def test_turtle_labels_keep_their_languages(ld_client):
    graph = Graph().parse(data=ld_client.get("/id/wilayah/35.15?format=turtle").data, format="turtle")
    region = URIRef(BASE + "wilayah/35.15")
    assert Literal("Kabupaten Sidoarjo", lang="id") in set(graph.objects(region, RDFS.label))
    assert Literal("35.15") in set(graph.objects(region, URIRef("http://www.wikidata.org/prop/direct/P2588")))


def test_format_parameter_overrides_accept(ld_client):
    response = ld_client.get("/id/sentra/wedoro?format=ntriples", headers={"Accept": "text/html"})
    assert response.mimetype == "application/n-triples"
    assert ox.parse(response.data, format=ox.RdfFormat.N_TRIPLES)
    html = ld_client.get("/id/sentra/wedoro?format=html", headers={"Accept": "text/turtle"})
    assert html.mimetype == "text/html"
    assert_problem(ld_client.get("/id/sentra/wedoro?format=pdf"), 406)


def test_default_without_accept_is_turtle(ld_client):
    for headers in ({}, {"Accept": "*/*"}):
        response = ld_client.get("/id/sentra/wedoro", headers=headers)
        assert response.status_code == 200 and response.mimetype == "text/turtle"


def test_unacceptable_type_gives_406(ld_client):
    assert_problem(ld_client.get("/id/sentra/wedoro", headers={"Accept": "image/png"}), 406)


@pytest.mark.parametrize("path", [
    "/id/sentra/does-not-exist", "/id/../etc/passwd", "/id/sentra/../../etc/passwd", "/id/a//b",
    "/id/%2e%2e/%2e%2e/etc/passwd", "/id/sentra/wedoro%00", "/id/x%3Cscript%3E", "/id/sentra/we doro",
    "/id/" + "a/" * 300 + "b", "/id/wilayah/35.15/.",
])
def test_unknown_and_odd_paths_are_404_never_500(ld_client, path):
    body = assert_problem(ld_client.get(path, headers={"Accept": "text/turtle"}), 404)
    assert "Traceback" not in json.dumps(body)
    page = ld_client.get(path, headers={"Accept": HTML_ACCEPT})
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert b"not found" in page.data


def test_sentra_page(ld_client):
    response = ld_client.get("/id/sentra/wedoro", headers={"Accept": HTML_ACCEPT})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Vary"] == "Accept"
    assert response.headers["Content-Location"] == "/id/sentra/wedoro?format=html"
    html = response.get_data(as_text=True)
    assert "Sentra sandal dan sepatu Wedoro" in html and "Wedoro sandal and shoe sentra" in html
    # what it makes and needs, its technologies, with links to our pages
    assert 'href="/id/produk/sepatu"' in html and 'href="/id/teknologi/pengeleman"' in html
    # partner candidates from the canned questions, by kind
    for question in ("technology-partners", "skill-partners", "financing-partners", "supply-partners",
                     "linkages", "interventions"):
        assert f"/api/{question}" in html
    assert "Kampung Sepatu Kota Mojokerto" in html
    # the unit counts chart is inline SVG, with no script
    assert "<svg" in html and "<script" not in html
    # documented sentra show their sources, outward
    assert 'href="https://eastjava.com/tourism/surabaya/wedoro.html"' in html
    assert "Illustrative — not a documented fact" not in html
    # every property is listed with its label
    assert "uses technology" in html and "kl:usesTechnology" in html


def test_illustrative_resources_carry_the_badge(ld_client):
    graph = ld_client.get("/id/intervensi/bantuan-peralatan-sidoarjo-2023?format=ntriples").data
    assert b"isIllustrative" in graph
    html = ld_client.get("/id/intervensi/bantuan-peralatan-sidoarjo-2023",
                         headers={"Accept": HTML_ACCEPT}).get_data(as_text=True)
    assert "Illustrative — not a documented fact" in html


def test_region_page_shows_join_key_sentra_and_specialisation(ld_client):
    html = ld_client.get("/id/wilayah/35.15", headers={"Accept": HTML_ACCEPT}).get_data(as_text=True)
    assert "Kabupaten Sidoarjo" in html
    assert "P2588" in html and "<code>35.15</code>" in html
    assert 'href="/id/sentra/wedoro"' in html  # its sentra, through kl:within
    assert 'href="/id/wilayah/35.15.18"' in html  # a sub-region
    assert "15121" in html  # specialised in bags (LQ from the specialisation question)
    assert "/api/sentra-in-region" in html


def test_cooperation_area_page(ld_client):
    html = ld_client.get("/id/kawasan/ratubangnegoro", headers={"Accept": HTML_ACCEPT}).get_data(as_text=True)
    assert 'href="/id/wilayah/33.16"' in html  # Blora is a member
    assert "Kabupaten Blora" in html
    assert "/api/corridor" in html and "Sentra batik Blora" in html


def test_concept_page_lists_its_users(ld_client):
    html = ld_client.get("/id/teknologi/pengeleman", headers={"Accept": HTML_ACCEPT}).get_data(as_text=True)
    assert "Pengeleman" in html and "Cementing (adhesive bonding)" in html
    assert 'href="/id/sentra/tanggulangin"' in html


def test_generic_page_and_outward_links(ld_client):
    html = ld_client.get("/id/dataset/sampel", headers={"Accept": HTML_ACCEPT}).get_data(as_text=True)
    assert 'class="out" rel="external"' in html  # IRIs of others link outward


def test_ontology_documentation_and_turtle(ld_client):
    page = ld_client.get("/ontology", headers={"Accept": HTML_ACCEPT})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert b"pyLODE" in page.data and b"MicroEnterprise" in page.data
    assert page.headers["Vary"] == "Accept"
    turtle = ld_client.get("/ontology", headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle"
    graph = Graph().parse(data=turtle.data, format="turtle")
    assert (URIRef("https://w3id.org/klaster/ontology#Sentra"), None, None) in graph
    jsonld = ld_client.get("/ontology?format=jsonld")
    assert jsonld.mimetype == "application/ld+json" and json.loads(jsonld.data)


def test_shapes_are_merged_turtle(ld_client):
    from kg.resources import data_folder

    response = ld_client.get("/shapes")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    served = set(ox.parse(response.data, format=ox.RdfFormat.TURTLE))
    files = sorted(data_folder("shapes").glob("*.ttl"))
    expected = [t for f in files for t in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)]
    assert len(files) > 1
    ground = {t for t in expected if not _has_blank(t)}
    assert ground <= served
    assert len(served) - len(ground) == len({t for t in expected if _has_blank(t)})


def _has_blank(t: ox.Triple) -> bool:
    return isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
