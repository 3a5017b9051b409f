"""The partner and linkage questions rank inside a sub-select and cut it at the end of the page
(``LIMIT n  # klaster:page``). On the small fixture graph: every page is the matching slice of the
whole answer, and the order is the documented total order (ties broken by IRI, never by label)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.questions import load_questions, run_question
from kg.sharing import rebuild as rebuild_sharing
from kg.store import EmbeddedStore

from helpers import paged_records

BASE = "https://w3id.org/klaster/id/"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "questions.ttl"
QUESTIONS = load_questions(base_iri=BASE)

#: question → the sort key of a row (the documented order)
ORDER = {
    "technology-partners": lambda r: (-r["score"], r["partner"]),
    "skill-partners": lambda r: (-r["score"], r["partner"]),
    "financing-partners": lambda r: (-r["score"], r["partner"]),
    "supply-partners": lambda r: (r["direction"], -r["score"], r["partner"]),
    "linkages": lambda r: (r["kind"], r["status"], r["direction"], r["other"], r["linkage"] or ""),
}
SENTRA = {"supply-partners": ("wedoro", "tanggulangin", "magetan-lik"),
          "linkages": ("wedoro", "tanggulangin", "magetan-lik"),
          "financing-partners": ("wedoro", "tanggulangin", "batik-jombang")}
CASES = [(name, sentra) for name in ORDER
         for sentra in SENTRA.get(name, ("wedoro", "tanggulangin", "batik-kerek"))]


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    store = EmbeddedStore()
    store.load(FIXTURE.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    rebuild_sharing(store, BASE)  # as seeding does: the partner questions read the counts
    return store


def test_the_ranked_questions_cut_their_page_inside() -> None:
    assert all(QUESTIONS[name].page_cut for name in ORDER)


@pytest.mark.parametrize(("name", "sentra"), CASES)
def test_pages_are_slices_of_the_whole_answer(store: EmbeddedStore, name: str, sentra: str) -> None:
    question = QUESTIONS[name]
    params = {"sentra": f"id:sentra/{sentra}"}
    whole = run_question(store, question, {**params, "limit": "1000"}, base_iri=BASE)
    rows = whole.records()
    assert rows and not whole.truncated
    assert rows == sorted(rows, key=ORDER[name]), "not in the documented total order"
    for size in (1, 2):
        assert paged_records(store, question, params, len(rows), size, base_iri=BASE) == rows


def test_ties_are_broken_by_iri_not_by_label(store: EmbeddedStore) -> None:
    """Wedoro's financing partners: Batik Jombang, Batik Masaran and Kampung Sepatu Kota Mojokerto
    share one source with it at the same score; their IRIs decide (batik-… < kampung-…), whatever
    their labels ("Kampung Sepatu …" would come before "Sentra batik …")."""
    table = run_question(store, QUESTIONS["financing-partners"], {"sentra": "id:sentra/wedoro"},
                         base_iri=BASE)
    rows = table.records()
    tied = [r["partner"].rsplit("/", 1)[1] for r in rows if r["score"] == rows[1]["score"]]
    assert tied == sorted(tied) and len(tied) >= 2


def _none_first(value):
    return (value is not None, value or "")


def _items_as_sets(rows: list[dict]) -> list[dict]:
    """SPARQL leaves the order inside a GROUP_CONCAT to the engine, and the engine's order follows
    the plan, which differs with the number of sentra listed: compare the shared items as sets."""
    return [{**r, **{c: sorted(r[c].split("; " if c == "shared_items" else " "))
                     for c in ("shared_items", "shared_item_iris") if r[c]}} for r in rows]


@pytest.mark.parametrize(("kawasan", "size"), [("karisma-pawirogo", 50), ("ratubangnegoro", 4),
                                            ("ratubangnegoro", 25)])
def test_corridor_pages_are_slices_of_the_whole_answer(seeded_store: Path, kawasan: str,
                                                       size: int) -> None:
    """``corridor`` cuts the area's sentra after the first k (``# klaster:page-units``): every
    page, whatever the cut the runner settled on, is the slice of the whole answer."""
    seeded = EmbeddedStore(seeded_store, read_only=True)
    question = QUESTIONS["corridor"]
    assert question.page_units
    params = {"kawasan": f"id:kawasan/{kawasan}"}
    whole = run_question(seeded, question, {**params, "limit": "5000"}, base_iri=BASE)
    rows = whole.records()
    assert len(rows) > 10 and not whole.truncated
    order = ("member_region_label", "member_region", "sentra_label", "sentra", "kind",
             "partner_label", "partner")
    assert rows == sorted(rows, key=lambda r: [_none_first(r[c]) for c in order])
    paged = paged_records(seeded, question, params, len(rows), size, base_iri=BASE)
    assert _items_as_sets(paged) == _items_as_sets(rows)


#: the partner questions whose candidates come from the sentra's rarest items first, and the link
#: from a sentra (or an enterprise) to an item of that kind
BOUNDED = {"technology-partners": "usesTechnology", "skill-partners": "needsSkill",
           "financing-partners": "usesFinancingScheme"}


@pytest.mark.parametrize("name", sorted(BOUNDED))
def test_partners_come_from_the_rarest_items_first(name: str) -> None:
    """X has a rare item (3 sentra), a middling one (5) and a common one (9 sentra, and enterprises
    that must not count). p1 and p2 share the rare item (scores 1/3 + 1/5 and 1/3 + 1/9); q shares
    the other two (1/5 + 1/9, less than the 1/3 of the rare item alone). The first page of one
    row reads the rare item's users only; every page is the slice of the whole answer, with the
    scores counted over every shared item."""
    question = QUESTIONS[name]
    assert question.units_bound == ("bound", "score")
    kl, link = "https://w3id.org/klaster/ontology#", BOUNDED[name]
    users = {"rare": ("x", "p1", "p2"), "mid": ("x", "p1", "q", "s1", "s2"),
             "common": ("x", "p2", "q") + tuple(f"r{i}" for i in range(6))}
    sentra = sorted({s for names in users.values() for s in names})
    triples = [f"<{BASE}sentra/{s}> a <{kl}Sentra> ." for s in sentra]
    triples += [f"<{BASE}sentra/{s}> <{kl}{link}> <{BASE}item/{item}> ."
                for item, names in users.items() for s in names]
    triples += [f"<{BASE}usaha/e{i}> a <{kl}Enterprise> ; <{kl}{link}> <{BASE}item/common> ."
                for i in range(3)]
    store = EmbeddedStore()
    store.update("INSERT DATA { " + " ".join(triples) + " }")
    rebuild_sharing(store, BASE)
    params = {"sentra": "id:sentra/x"}
    whole = run_question(store, question, {**params, "limit": "100"}, base_iri=BASE)
    rows = [(r["partner"].rsplit("/", 1)[1], round(float(r["score"]), 6)) for r in whole.records()]
    assert rows[:3] == [("p1", round(1 / 3 + 1 / 5, 6)), ("p2", round(1 / 3 + 1 / 9, 6)),
                        ("q", round(1 / 5 + 1 / 9, 6))]
    assert len(rows) == len(sentra) - 1 and whole.sparql.count(f"{BASE}item/") == 3
    for offset, limit in ((0, 1), (0, 2), (1, 1), (2, 3), (5, 4)):
        page = run_question(store, question, {**params, "limit": str(limit), "offset": str(offset)},
                            base_iri=BASE)
        assert page.rows == whole.rows[offset:offset + limit], (offset, limit)
        listed = page.sparql.count(f"{BASE}item/")
        assert listed == (1 if (offset, limit) == (0, 1) else 3), (offset, limit)
