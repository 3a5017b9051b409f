"""Unit-count aggregates: built at seeding, equal to a from-scratch recompute after every ingest,
replacement and withdrawal, and what the location-quotient questions read."""

from __future__ import annotations

import logging
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import aggregates
from kg import submissions as subs
from kg.auth import Principal
from kg.namespaces import KL
from kg.questions import load_questions, run_question
from kg.settings import load_settings
from kg.store import EmbeddedStore

BASE = "https://w3id.org/klaster/id/"
SETTINGS = load_settings({})
STEWARD = Principal("dinas-sidoarjo", "steward")
FOOTWEAR = f"{BASE}kbli/2020/15201"
SIDOARJO = f"{BASE}wilayah/35.15"
BLORA = f"{BASE}wilayah/33.16"
BLORA_DESA = "33.16.08.2012"
WEDORO = f"{BASE}sentra/wedoro"
QUESTIONS = load_questions(base_iri=BASE)


def submission(units_2023: int, *, new_sentra: bool = True, place: str = "35.15.18.2013") -> bytes:
    """A new footwear sentra in Wedoro (Sidoarjo, or the desa ``place``) with two years of unit
    counts, plus a 2024 count for the sample's Wedoro sentra (a year the sample does not have)."""
    sentra = f"""<sentra/uji-agregat> a kl:Sentra ;
    rdfs:label "Sentra uji agregat"@id ;
    dcterms:identifier "uji-agregat" ;
    kl:locatedIn <wilayah/{place}> ;
    kl:industryCode <kbli/2020/15201> ;
    kl:isIllustrative true .
""" if new_sentra else ""
    return f"""@prefix kl: <https://w3id.org/klaster/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
{sentra}
<observasi/uji-agregat/2022> a qb:Observation ; kl:refSentra <sentra/uji-agregat> ;
    kl:refPeriod "2022"^^xsd:gYear ; kl:refIndustry <kbli/2020/15201> ; kl:unitCount 40 ;
    kl:isIllustrative true .
<observasi/uji-agregat/2023> a qb:Observation ; kl:refSentra <sentra/uji-agregat> ;
    kl:refPeriod "2023"^^xsd:gYear ; kl:refIndustry <kbli/2020/15201> ; kl:unitCount {units_2023} ;
    kl:isIllustrative true .
<observasi/wedoro/2024-uji> a qb:Observation ; kl:refSentra <sentra/wedoro> ;
    kl:refPeriod "2024"^^xsd:gYear ; kl:refIndustry <kbli/2020/15201> ; kl:unitCount 7 ;
    kl:isIllustrative true .
""".encode()


def assert_current(store: EmbeddedStore) -> None:
    """The stored aggregates equal a recompute from scratch: figures and sentra links."""
    figures, links = aggregates.compute_all(store)
    assert aggregates.stored(store, BASE) == figures
    stored_links = aggregates.stored_links(store, BASE)
    expected_links = {pair: found for pair, found in links.items()
                      if any(k[0] == pair[0] and k[1] == aggregates.KAB and k[2] == pair[1]
                             for k in figures)}
    assert stored_links == expected_links


def figure(store: EmbeddedStore, area: str, industry: str, year: str) -> int:
    level = aggregates.NATION if area == aggregates.NATION else None
    for (a, lv, i, p), units in aggregates.stored(store, BASE).items():
        if a == area and i == industry and p == year and (level is None or lv == level):
            return units
    return 0


def test_seeding_builds_the_aggregates(seeded_store: Path) -> None:
    store = EmbeddedStore(seeded_store, read_only=True)
    try:
        assert_current(store)
        stored = aggregates.stored(store, BASE)
        levels = {level for _, level, _, _ in stored}
        assert levels == {aggregates.NATION, KL + "Province", KL + "RegencyOrCity", KL + "District"}
        # the total of an area and year is the sum of its industries
        for (area, level, industry, year), units in stored.items():
            if industry == aggregates.ALL_INDUSTRIES:
                parts = sum(n for (a, lv, i, y), n in stored.items()
                            if a == area and lv == level and y == year
                            and i != aggregates.ALL_INDUSTRIES)
                assert parts == units
    finally:
        store.close()


def test_ingest_replace_move_and_withdraw_keep_the_aggregates_current(
        seeded_store_copy: Path, caplog: pytest.LogCaptureFixture) -> None:
    """After every step the stored figures and sentra links equal a recompute from scratch, though
    each step only adds what its sentra's contribution changed by."""
    caplog.set_level(logging.WARNING, logger="kg.aggregates")
    store = EmbeddedStore(seeded_store_copy)
    new = f"{BASE}sentra/uji-agregat"
    try:
        before = aggregates.stored(store, BASE)
        links_before = aggregates.stored_links(store, BASE)
        sidoarjo_2023 = figure(store, SIDOARJO, FOOTWEAR, "2023")
        blora_2023 = figure(store, BLORA, FOOTWEAR, "2023")
        nation_2023 = figure(store, aggregates.NATION, FOOTWEAR, "2023")
        nation_2024 = figure(store, aggregates.NATION, FOOTWEAR, "2024")
        assert blora_2023 == 0 and (BLORA, FOOTWEAR) not in links_before

        # a new sentra, and a new year for an existing one
        first = subs.submit(store, SETTINGS, submission(60), principal=STEWARD, filename="a.ttl",
                            media_type="text/turtle")
        assert first.accepted, first.report
        assert_current(store)
        assert figure(store, SIDOARJO, FOOTWEAR, "2023") == sidoarjo_2023 + 60
        assert figure(store, aggregates.NATION, FOOTWEAR, "2024") == nation_2024 + 7
        assert new in aggregates.stored_links(store, BASE)[(SIDOARJO, FOOTWEAR)]

        # an observation changed (a replacement)
        second = subs.submit(store, SETTINGS, submission(90), principal=STEWARD, filename="b.ttl",
                             media_type="text/turtle", replaces=first.record.id)
        assert second.accepted, second.report
        assert_current(store)
        assert figure(store, SIDOARJO, FOOTWEAR, "2023") == sidoarjo_2023 + 90

        # the sentra moved to a desa of another kabupaten and province: it leaves Sidoarjo's
        # figures (and its sentra list) and enters Blora's, which had no footwear before
        third = subs.submit(store, SETTINGS, submission(90, place=BLORA_DESA), principal=STEWARD,
                            filename="c.ttl", media_type="text/turtle", replaces=second.record.id)
        assert third.accepted, third.report
        assert_current(store)
        assert figure(store, SIDOARJO, FOOTWEAR, "2023") == sidoarjo_2023
        assert figure(store, BLORA, FOOTWEAR, "2023") == blora_2023 + 90
        assert figure(store, aggregates.NATION, FOOTWEAR, "2023") == nation_2023 + 90
        links = aggregates.stored_links(store, BASE)
        assert new not in links[(SIDOARJO, FOOTWEAR)] and new in links[(BLORA, FOOTWEAR)]

        subs.withdraw(store, SETTINGS, third.record.id, principal=STEWARD)
        assert_current(store)
        assert aggregates.stored(store, BASE) == before
        assert aggregates.stored_links(store, BASE) == links_before
        assert not caplog.records  # every step was a delta, none fell back to a recompute
    finally:
        store.close()


def observation(name: str, units: str, year: str = "2025") -> str:
    return (f"<{BASE}observasi/uji/{name}> kl:refSentra <{WEDORO}> ; kl:refIndustry <{FOOTWEAR}> ; "
            f"kl:refPeriod \"{year}\"^^xsd:gYear ; kl:unitCount {units} .")


def raw_write(store: EmbeddedStore, sentra: list[str], update: str) -> None:
    """A write about ``sentra`` outside the submissions, with the aggregates kept current."""
    before = aggregates.snapshot(store, sentra)
    store.update(f"PREFIX kl: <{KL}>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n{update}")
    aggregates.keep_current(store, BASE, before)


def test_counts_that_are_no_whole_number_count_nowhere(
        seeded_store_copy: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The shapes refuse them in a submission; written otherwise, they are skipped both by the
    delta and by the recompute (a decimal with a whole value, which the store keeps as "12",
    counts). A figure that drops to 0 is removed."""
    caplog.set_level(logging.WARNING, logger="kg.aggregates")
    store = EmbeddedStore(seeded_store_copy)
    graph = f"{BASE}graph/uji"
    try:
        counts = {"a": "2.5", "b": '"12.0"^^xsd:decimal', "c": '"dua"', "d": "11"}
        data = " ".join(observation(name, units) for name, units in counts.items())
        raw_write(store, [WEDORO], f"INSERT DATA {{ GRAPH <{graph}> {{ {data} }} }}")
        assert_current(store)
        assert figure(store, SIDOARJO, FOOTWEAR, "2025") == 11 + 12
        assert figure(store, aggregates.NATION, aggregates.ALL_INDUSTRIES, "2025") == 11 + 12
        raw_write(store, [WEDORO], f"DROP GRAPH <{graph}>")
        assert_current(store)
        assert not [key for key in aggregates.stored(store, BASE) if key[3] == "2025"]
        assert not caplog.records
    finally:
        store.close()


def test_stale_figures_are_recomputed_rather_than_carried(
        seeded_store_copy: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A figure the delta would take below zero cannot have been current: the figures concerned
    are recomputed from the observations instead."""
    caplog.set_level(logging.WARNING, logger="kg.aggregates")
    store = EmbeddedStore(seeded_store_copy)
    graph = aggregates.aggregates_graph(BASE)
    try:
        stale = aggregates.observation_iri(BASE, (aggregates.NATION, aggregates.NATION, FOOTWEAR, "2023"))
        store.update(f"DELETE {{ GRAPH <{graph}> {{ <{stale}> <{KL}unitTotal> ?n }} }} "
                     f"INSERT {{ GRAPH <{graph}> {{ <{stale}> <{KL}unitTotal> 1 }} }} "
                     f"WHERE {{ GRAPH <{graph}> {{ <{stale}> <{KL}unitTotal> ?n }} }}")
        assert figure(store, aggregates.NATION, FOOTWEAR, "2023") == 1
        raw_write(store, [WEDORO], f"DELETE WHERE {{ GRAPH ?g {{ ?o kl:refSentra <{WEDORO}> ; "
                  f"kl:refPeriod \"2023\"^^xsd:gYear ; kl:unitCount ?n }} }}")
        assert "were not current" in caplog.text
        assert_current(store)
    finally:
        store.close()


def test_questions_read_the_refreshed_aggregates(seeded_store_copy: Path) -> None:
    """specialisation answers from the aggregates, so an ingest shows in its next answer."""
    store = EmbeddedStore(seeded_store_copy)
    try:
        def sidoarjo() -> dict:
            table = run_question(store, QUESTIONS["specialisation"],
                                 {"commodity": "15201", "year": "2023"}, base_iri=BASE)
            return next(r for r in table.records() if r["region"] == SIDOARJO)

        old = sidoarjo()
        outcome = subs.submit(store, SETTINGS, submission(60), principal=STEWARD,
                              filename="a.ttl", media_type="text/turtle")
        assert outcome.accepted, outcome.report
        new = sidoarjo()
        assert new["x_ir"] == old["x_ir"] + 60 and new["x_r"] == old["x_r"] + 60
        assert new["x_iR"] == old["x_iR"] + 60 and new["x_R"] == old["x_R"] + 60
        assert new["lq"] == pytest.approx((new["x_ir"] / new["x_r"]) / (new["x_iR"] / new["x_R"]))
    finally:
        store.close()


def test_rebuild_replaces_the_graph_and_is_idempotent() -> None:
    store = EmbeddedStore()
    store.load(Path(__file__).resolve().parent.joinpath("fixtures", "questions.ttl").read_bytes(),
               format=ox.RdfFormat.TURTLE, base_iri=BASE)
    first = aggregates.rebuild(store, BASE)
    count = store.count(aggregates.aggregates_graph(BASE))
    second = aggregates.rebuild(store, BASE)
    assert first.figures == second.figures > 0
    assert store.count(aggregates.aggregates_graph(BASE)) == count == second.triples
    assert_current(store)


def test_observation_iri_extends_its_slice_iri() -> None:
    key = (SIDOARJO, KL + "RegencyOrCity", FOOTWEAR, "2023")
    slice_ = aggregates.slice_iri(BASE, KL + "RegencyOrCity", FOOTWEAR, "2023")
    assert slice_ == f"{BASE}aggregate/units/kabupaten_kota/kbli/2020/15201/2023"
    assert aggregates.observation_iri(BASE, key) == f"{slice_}/wilayah/35.15"
