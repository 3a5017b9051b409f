"""The pages for people (service.web) over the seeded store, through the Flask test client."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers import ADMIN_TOKEN
from kg.settings import Settings
from kg.store import EmbeddedStore


@pytest.fixture(scope="module")
def web_app(seeded_store: Path, tmp_path_factory: pytest.TempPathFactory):
    from service import create_app

    folder = tmp_path_factory.mktemp("web")
    copy = folder / "store"
    source = EmbeddedStore(seeded_store, read_only=True)
    source.backup(copy)
    source.close()
    store = EmbeddedStore(copy)
    settings = Settings(store=str(copy), admin_token=ADMIN_TOKEN, query_timeout=30.0,
                        max_rows=5000, max_body=1024 * 1024, query_workers=2, threads=4)
    app = create_app(settings, store=store)
    yield app
    app.extensions["klaster"].close()
    store.close()


@pytest.fixture
def web(web_app):
    return web_app.test_client()


class _Page(HTMLParser):
    """Collects what the accessibility checks need: landmarks, labels, ids, links, svg titles."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.label_for: set[str] = set()
        self.svg_titles = 0
        self._in_svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "label" and attributes.get("for"):
            self.label_for.add(str(attributes["for"]))
        if tag == "svg":
            self._in_svg += 1
        if tag == "title" and self._in_svg:
            self.svg_titles += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._in_svg -= 1

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def assert_accessible(html: str) -> _Page:
    page = parse(html)
    assert page.all("html")[0].get("lang") in ("id", "en")
    assert len(page.all("main")) == 1 and page.all("header") and page.all("nav")
    for field in page.all("input") + page.all("select"):
        if field.get("type") in ("hidden", "submit"):
            continue
        assert field.get("id") in page.label_for, f"form field without a label: {field}"
    ids = [a["id"] for _, a in page.tags if a.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for svg in page.all("svg"):
        if svg.get("aria-hidden") != "true":
            assert svg.get("role") == "img" and svg.get("aria-labelledby")
    return page


def test_home_page_is_indonesian_first_with_search_and_entry_points(web) -> None:
    response = web.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = assert_accessible(html)
    assert page.all("html")[0]["lang"] == "id"
    assert "Graf pengetahuan terbuka" in html
    hrefs = {a.get("href") for a in page.all("a")}
    for target in ("/sparql", "/api", "/upload", "/submissions", "/.well-known/void",
                   "/templates/sentra.csv", "/templates/sentra.xlsx", "/dumps/", "/ontology"):
        assert target in hrefs, target
    assert any(h and h.startswith("/questions/corridor?kawasan=") for h in hrefs)
    search = next(f for f in page.all("form") if f.get("action") == "/search")
    assert search.get("role") == "search"
    assert html.count('class="point"') >= 5  # the map of sentra with coordinates
    assert any(h and h.startswith("/id/sentra/") for h in hrefs)


def test_language_switch_by_parameter_is_remembered_in_a_cookie(web) -> None:
    response = web.get("/?lang=en")
    assert 'lang="en"' in response.get_data(as_text=True)
    assert "klaster_lang=en" in response.headers.get("Set-Cookie", "")
    again = web.get("/questions")  # the test client keeps the cookie
    html = again.get_data(as_text=True)
    assert '<html lang="en">' in html and "Questions" in html
    assert 'href="/questions?lang=id"' in html  # the switch back
    back = web.get("/?lang=id")
    assert '<html lang="id">' in back.get_data(as_text=True)
    assert '<html lang="id">' in web.get("/questions").get_data(as_text=True)
    assert web.get("/?lang=xx").status_code == 200


def test_every_question_has_a_page_with_a_labelled_form(web, web_app) -> None:
    from service.api import EXTENSION

    for name, question in web_app.extensions[EXTENSION].items():
        response = web.get(f"/questions/{name}")
        assert response.status_code == 200, name
        html = response.get_data(as_text=True)
        page = assert_accessible(html)
        names = {f.get("name") for f in page.all("input") + page.all("select")}
        assert {p.name for p in question.bound_params} <= names, name
        assert "SELECT" in html  # the SPARQL behind it


def test_pick_lists_come_from_enums_and_values_queries(web) -> None:
    html = web.get("/questions/linkages").get_data(as_text=True)
    select = re.search(r'<select id="param-sentra".*?</select>', html, re.S)
    assert select and 'value="id:sentra/tanggulangin" selected' in select.group(0)  # the example
    html = web.get("/questions/specialisation").get_data(as_text=True)
    assert re.search(r'<select id="param-level"[^>]*>.*?<option value="kecamatan"', html, re.S)
    assert re.search(r'<select id="param-commodity"', html)
    html = web.get("/questions/sentra-in-region").get_data(as_text=True)
    assert 'list="param-region-list"' in html and '<option value="35">' in html


def test_a_question_runs_from_its_form_with_links_downloads_and_a_network(web) -> None:
    response = web.get("/questions/technology-partners?sentra=id:sentra/wedoro")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = assert_accessible(html)
    hrefs = [a.get("href") or "" for a in page.all("a")]
    assert "/id/sentra/kampung-sepatu-kota-mojokerto" in hrefs
    assert "/api/technology-partners?sentra=id%3Asentra%2Fwedoro&format=csv" in hrefs
    assert "/api/technology-partners?sentra=id%3Asentra%2Fwedoro&format=json" in hrefs
    network = re.search(r'<svg class="network".*?</svg>', html, re.S)
    assert network is not None
    assert network.group(0).count("<circle") >= 3
    assert network.group(0).count('class="edge kind-technology') >= 2
    assert "<title" in network.group(0)
    assert "Jumlah unit usaha per tahun" in html  # the unit counts of the sentra
    assert "?sentra" in html and "https://w3id.org/klaster/id/sentra/wedoro" in html  # bound value


def test_the_downloads_answer_like_the_api(web) -> None:
    csv = web.get("/api/technology-partners?sentra=id%3Asentra%2Fwedoro&format=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "kampung-sepatu-kota-mojokerto" in csv.get_data(as_text=True)


def test_corridor_network_marks_cross_province_edges_and_colours_by_choice(web) -> None:
    html = web.get("/questions/corridor?kawasan=id:kawasan/ratubangnegoro").get_data(as_text=True)
    network = re.search(r'<svg class="network".*?</svg>', html, re.S).group(0)
    assert 'stroke-dasharray="8 5"' in network  # Rembang (Jawa Tengah) with Tuban/Bojonegoro (Jawa Timur)
    assert "Kabupaten Blora" in html
    by_province = web.get("/questions/corridor?kawasan=id:kawasan/ratubangnegoro&colour=province")
    text = by_province.get_data(as_text=True)
    legend = re.search(r'<ul class="swatches">(.*?)</ul>', text, re.S).group(1)
    assert "Jawa Tengah" in legend and "Jawa Timur" in legend and "Kabupaten" not in legend


def test_specialisation_draws_the_lq_chart_and_units_over_the_years(web) -> None:
    html = web.get("/questions/specialisation?commodity=15201").get_data(as_text=True)
    assert 'id="lq"' in html and 'class="bar highlight"' in html
    assert "Kota Mojokerto" in html
    assert 'id="units"' in html and re.search(r'<text[^>]*class="tick">2024</text>', html)


def test_paging_of_a_long_answer_links_the_next_page(web) -> None:
    html = web.get("/questions/corridor?kawasan=id:kawasan/karisma-pawirogo&limit=10").get_data(as_text=True)
    assert 'rel="next"' in html and "offset=10" in html
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    assert body.count("<tr>") == 10
    network = re.search(r'<svg class="network".*?</svg>', html, re.S).group(0)
    assert network.count("<circle") > 10  # the picture shows the whole area, not only the page


def test_bad_values_are_shown_on_the_page_not_as_a_traceback(web) -> None:
    response = web.get("/questions/linkages?sentra=not%20an%20iri")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html and "sentra" in html and "Traceback" not in html
    assert web.get("/questions/specialisation?commodity=12").status_code == 400
    missing = web.get("/questions/no-such-question")
    assert missing.status_code == 404 and "no-such-question" in missing.get_data(as_text=True)


def test_search_page_finds_sentra_and_regions(web) -> None:
    html = web.get("/search?q=sepatu").get_data(as_text=True)
    assert_accessible(html)
    assert 'href="/id/sentra/' in html
    assert 'value="sepatu"' in html
    regions = web.get("/search?q=Sidoarjo&type=region").get_data(as_text=True)
    assert 'href="/id/wilayah/35.15"' in regions
    assert web.get("/search?q=x").status_code == 400  # too short: the question's own rule
    assert web.get("/search").status_code == 200


def test_stylesheet_is_served_and_responsive(web) -> None:
    css = web.get("/static/app.css")
    assert css.status_code == 200
    text = css.get_data(as_text=True)
    assert "@media (max-width" in text and ":focus-visible" in text
    assert "http://" not in text and "https://" not in text and "@import" not in text
