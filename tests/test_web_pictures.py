"""The data and geometry behind the web pictures (kg.pictures, kg.picture_layout), the table view
(kg.table_view) and the pick lists (kg.choices): pure functions, plus the seeded store for the
two fixed queries."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from kg import picture_layout as layout
from kg import pictures
from kg.choices import choices_for, region_options
from kg.pictures import Edge, LQBar, Place, YearValue
from kg.questions import ResultTable, load_questions
from kg.store import EmbeddedStore
from kg.table_view import local_href, view_table

BASE = "https://w3id.org/klaster/id/"
S = BASE + "sentra/"

PLACES = {
    S + "a": Place(S + "a", "Sentra A", "Sentra A (en)", BASE + "wilayah/35.15", "Kabupaten Sidoarjo",
                   BASE + "wilayah/35", "Jawa Timur", 112.7, -7.4),
    S + "b": Place(S + "b", "Sentra B", "", BASE + "wilayah/35.20", "Kabupaten Magetan",
                   BASE + "wilayah/35", "Jawa Timur", 111.3, -7.6),
    S + "c": Place(S + "c", "Sentra C", "", BASE + "wilayah/33.17", "Kabupaten Rembang",
                   BASE + "wilayah/33", "Jawa Tengah"),
}


@pytest.fixture(scope="module")
def seeded(seeded_store: Path):
    store = EmbeddedStore(seeded_store, read_only=True)
    yield store
    store.close()


# -- networks --------------------------------------------------------------------------------------

def test_linkages_network_merges_statuses_per_pair_and_kind() -> None:
    rows = [
        {"kind": "financing", "status": "illustrative", "other": S + "b", "other_label": "B",
         "shared_items": "KUR", "crosses_province": False},
        {"kind": "financing", "status": "inferred", "other": S + "b", "other_label": "B",
         "shared_items": "Bank Jatim; KUR", "crosses_province": False},
        {"kind": "technology", "status": "inferred", "other": S + "c", "other_label": "C",
         "shared_items": "cementing", "crosses_province": True},
        {"kind": "skill", "status": "inferred", "other": S + "x", "other_label": "Unplaced"},
    ]
    network = pictures.network_from_linkages(S + "a", rows, PLACES)
    assert [n.id for n in network.nodes] == [S + "a", S + "b", S + "c", S + "x"]
    assert network.nodes[0].centre and network.nodes[0].label == "Sentra A"
    financing = [e for e in network.edges if e.kind == "financing"]
    assert len(financing) == 1
    assert financing[0].declared  # an illustrative kl:Linkage is declared; "inferred" alone is not
    assert financing[0].items == "KUR; Bank Jatim"
    technology = next(e for e in network.edges if e.kind == "technology")
    assert technology.crosses_province and not technology.declared
    unplaced = network.nodes[3]
    assert unplaced.label == "Unplaced" and unplaced.group == ""
    assert network.kinds() == ("skill", "technology", "financing")


def test_nodes_are_grouped_by_kabupaten_or_province_with_distinct_colours() -> None:
    rows = [{"partner": S + "b", "partner_label": "B", "declared_link": True, "crosses_province": False},
            {"partner": S + "c", "partner_label": "C", "declared_link": False, "crosses_province": True}]
    by_kab = pictures.network_from_partners("technology-partners", S + "a", rows, PLACES)
    assert {g.label for g in by_kab.groups()} == {"Kabupaten Sidoarjo", "Kabupaten Magetan",
                                                  "Kabupaten Rembang"}
    assert len({g.colour for g in by_kab.groups()}) == 3
    assert all(e.kind == "technology" for e in by_kab.edges)
    by_province = pictures.network_from_partners("supply-partners", S + "a", rows, PLACES,
                                                 colour_by="province", lang="en")
    assert [g.label for g in by_province.groups()] == ["Jawa Tengah", "Jawa Timur"]
    assert by_province.nodes[0].label == "Sentra A (en)"
    assert {e.kind for e in by_province.edges} == {"product"}


def test_corridor_network_has_one_edge_per_pair_and_kind_and_keeps_lonely_sentra() -> None:
    rows = [
        {"sentra": S + "a", "partner": S + "b", "kind": "skill", "crosses_province": False},
        {"sentra": S + "b", "partner": S + "a", "kind": "skill", "crosses_province": False},
        {"sentra": S + "a", "partner": S + "c", "kind": "product", "crosses_province": True},
        {"sentra": S + "c", "partner": S + "a", "kind": "product", "crosses_province": True},
        {"sentra": S + "x", "sentra_label": "Alone", "partner": None, "kind": None},
    ]
    network = pictures.network_from_corridor(rows, PLACES)
    assert {n.id for n in network.nodes} == {S + "a", S + "b", S + "c", S + "x"}
    assert sorted((e.kind, e.crosses_province) for e in network.edges) == [("product", True),
                                                                            ("skill", False)]


def test_network_layout_puts_the_centre_in_the_middle_and_the_others_on_a_ring() -> None:
    rows = [{"partner": S + "b", "partner_label": "B", "crosses_province": False},
            {"partner": S + "c", "partner_label": "C", "crosses_province": True}]
    network = pictures.network_from_partners("skill-partners", S + "a", rows, PLACES)
    picture = layout.layout_network(network, width=800, height=600)
    centre = next(n for n in picture.nodes if n.node.centre)
    assert (centre.x, centre.y) == (400, 300)
    radii = {round(math.hypot(n.x - 400, n.y - 300)) for n in picture.nodes if not n.node.centre}
    assert len(radii) == 1 and radii.pop() > 100
    assert picture.cross_province == 1
    dashed = [e for e in picture.edges if e.dashed]
    assert len(dashed) == 1 and dashed[0].edge.target == S + "c"
    assert all(e.d.startswith("M") for e in picture.edges)


def test_parallel_edges_of_different_kinds_are_bent_apart() -> None:
    network = pictures.Network(
        (pictures.Node(S + "a", "A", "", ""), pictures.Node(S + "b", "B", "", "")),
        (Edge(S + "a", S + "b", "skill", False, False), Edge(S + "a", S + "b", "product", True, False)),
        "kabupaten")
    picture = layout.layout_network(network)
    assert len({e.d for e in picture.edges}) == 2
    assert all(" Q" in e.d for e in picture.edges)
    widths = {e.edge.kind: e.width for e in picture.edges}
    assert widths["product"] > widths["skill"]  # declared is thicker


def test_a_crowded_ring_gets_radial_labels_in_a_square_picture() -> None:
    nodes = tuple(pictures.Node(f"{S}n{i}", f"Sentra nomor {i}", "", "") for i in range(30))
    picture = layout.layout_network(pictures.Network(nodes, (), "kabupaten"), width=900, height=500)
    assert picture.height == picture.width == 900
    assert all(n.rotate != 0 or abs(n.label_y - n.y) < 30 for n in picture.nodes)
    assert any(n.rotate for n in picture.nodes)


# -- charts and map --------------------------------------------------------------------------------

def test_lq_bars_keep_the_latest_period_per_region_sorted_by_lq() -> None:
    rows = [{"region": "r1", "region_label": "One", "lq": 0.5, "specialised": False, "period": 2022},
            {"region": "r1", "region_label": "One", "lq": 2.5, "specialised": True, "period": 2024},
            {"region": "r2", "region_label": "Two", "lq": 1.5, "specialised": True, "period": 2024},
            {"region": "r3", "region_label": "Three", "lq": None}]
    bars = pictures.lq_bars(rows)
    assert bars == (LQBar("r1", "One", 2.5, True, 2024), LQBar("r2", "Two", 1.5, True, 2024))
    chart = layout.lq_chart(bars, threshold=1.0)
    assert chart.bars[0].w > chart.bars[1].w > 0
    assert chart.reference is not None and chart.plot_left < chart.reference < chart.bars[1].x + chart.bars[1].w
    assert chart.ticks[0].text == "0"


def test_units_chart_scales_bars_to_a_round_axis() -> None:
    chart = layout.units_chart([YearValue(2020, 175, 1, 1), YearValue(2021, 350, 1, 0)])
    first, second = chart.bars
    assert math.isclose(second.h, 2 * first.h)
    assert first.highlight and not second.highlight  # illustrative figures are marked
    assert [t.text for t in chart.ticks][-1] in ("400", "350")
    assert layout.nice_step(7.4) == 2 and layout.nice_step(657, 4) == 200


def test_sentra_map_projects_points_inside_the_picture_and_counts_the_missing() -> None:
    picture = layout.sentra_map(PLACES.values(), width=600, height=400)
    assert picture.missing == 1 and len(picture.points) == 2
    for point in picture.points:
        assert 0 < point.x < 600 and 0 < point.y < 400
    east = next(p for p in picture.points if p.place.iri == S + "a")
    west = next(p for p in picture.points if p.place.iri == S + "b")
    assert east.x > west.x and east.y < west.y  # north is up
    assert [g.label for g in picture.groups] == ["Jawa Timur"]
    assert picture.lon_ticks and picture.lat_ticks
    assert pictures.parse_point("POINT(112.760 -7.348)") == (112.76, -7.348)
    assert pictures.parse_point("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(1 2)") == (1.0, 2.0)
    assert pictures.parse_point("POLYGON((0 0, 1 1, 1 0, 0 0))") is None
    assert pictures.parse_point("POINT(500 1)") is None


# -- the seeded store -----------------------------------------------------------------------------

def test_places_and_unit_series_from_the_sample_data(seeded: EmbeddedStore) -> None:
    found = pictures.places(seeded)
    wedoro = found[S + "wedoro"]
    assert wedoro.kabupaten_kota_label == "Kabupaten Sidoarjo" and wedoro.province_label == "Jawa Timur"
    assert wedoro.has_point and 112 < wedoro.lon < 113  # type: ignore[operator]
    assert wedoro.label("en").startswith("Wedoro")
    series = pictures.sentra_units(seeded, S + "wedoro")
    assert [p.year for p in series] == sorted(p.year for p in series) and len(series) >= 3
    assert all(p.value > 0 for p in series)
    industry = pictures.industry_units(seeded, BASE + "kbli/2020/15201")
    assert industry[0].value >= series[0].value  # the industry sums over several sentra


def test_choices_reuse_a_sibling_values_query_and_list_regions(seeded: EmbeddedStore) -> None:
    questions = load_questions(base_iri=BASE)
    linkages = questions["linkages"]
    sentra = choices_for(seeded, linkages, linkages.param("sentra"), questions.values(), base_iri=BASE)
    assert sentra is not None and sentra.strict
    assert ("id:sentra/wedoro", "Sentra sandal dan sepatu Wedoro") in sentra.options or \
        any(v == "id:sentra/wedoro" for v, _ in sentra.options)
    level = questions["specialisation"].param("level")
    assert choices_for(seeded, questions["specialisation"], level, questions.values(),
                       base_iri=BASE).options == (("kabupaten_kota", "kabupaten_kota"), ("kecamatan", "kecamatan"))
    provinces = region_options(seeded, provinces_only=True)
    assert {code for code, _ in provinces} >= {"33", "35"}
    assert all("." not in code for code, _ in provinces)
    search = questions["search"]
    assert choices_for(seeded, search, search.param("q"), questions.values(), base_iri=BASE) is None


# -- the table view --------------------------------------------------------------------------------

def test_table_view_folds_labels_links_items_and_formats_values() -> None:
    table = ResultTable(
        query="x", params={}, truncated=False, sparql="",
        columns=("partner", "partner_label", "score", "shared_items", "shared_item_iris",
                 "crosses_province", "kind_iri", "source"),
        rows=((S + "b", "Sentra B", 1.23456, "Bank A; KUR", BASE + "p/a " + BASE + "p/kur", True,
               "https://w3id.org/klaster/ontology#SkillLinkage", "https://example.org/news"),
              (S + "c", None, 2, "one; two", BASE + "p/only-one", False, None, None)))
    view = view_table(table, base_iri=BASE, root="/app", yes="yes", no="no")
    assert view.columns == ("partner", "score", "shared_items", "crosses_province", "kind_iri", "source")
    first, second = view.rows
    assert first[0].links[0].href == "/app/id/sentra/b" and first[0].text == "Sentra B"
    assert second[0].text == "id:sentra/c"  # no label: the short IRI
    assert first[1].text == "1.235" and first[1].numeric
    assert [link.href for link in first[2].links] == ["/app/id/p/a", "/app/id/p/kur"]
    assert second[2].links == () and second[2].text == "one; two"  # counts disagree: no guessing
    assert first[3].text == "yes" and second[3].text == "no"
    assert first[4].links[0].href == "/app/ontology#SkillLinkage" and first[4].text == "kl:SkillLinkage"
    assert first[5].links[0].href == "https://example.org/news"
    assert local_href("urn:x", base_iri=BASE) == "urn:x"
