"""Stored shared-item counts and derived sentra-only financing links (kg.sharing): built at
seeding, equal to a live count, kept current by submissions (ingest, replace, withdraw), and read
by the partner questions."""

from __future__ import annotations

from pathlib import Path

from kg import sharing
from kg import submissions as subs
from kg.auth import Principal
from kg.questions import load_questions, run_question
from kg.settings import load_settings
from kg.store import EmbeddedStore, Store

BASE = "https://w3id.org/klaster/id/"
SETTINGS = load_settings({})
STEWARD = Principal("dinas-sidoarjo", "steward")
CEMENTING = f"{BASE}teknologi/pengeleman"
CHROME_TANNING = f"{BASE}teknologi/penyamakan-krom"
KUR = f"{BASE}skema-pembiayaan/kur"
NEW = f"{BASE}sentra/uji-berbagi"
QUESTIONS = load_questions(base_iri=BASE)

#: What the partner questions counted live before the counts were stored: the distinct sentra
#: linked to each item, per kind of sharing (a deliberately separate, naive formulation).
LIVE = {
    "technology": "?s kl:usesTechnology ?item",
    "skill": "?s kl:needsSkill ?item",
    "financing": "{ ?s kl:financedBy ?item } UNION { ?s kl:usesFinancingScheme ?item }",
    "product": "?s kl:produces ?item",
    "input": "?s kl:needsInput ?item",
}


def live(store: Store) -> dict[tuple[str, str], int]:
    found = {}
    for kind, pattern in LIVE.items():
        query = ("PREFIX kl: <https://w3id.org/klaster/ontology#>\n"
                 f"SELECT ?item (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {pattern} . ?s a kl:Sentra }} "
                 "GROUP BY ?item")
        found.update(((kind, r["item"].value), int(r["n"].value)) for r in store.query(query))
    return found


def live_links(store: Store) -> set[tuple[str, str, str]]:
    """What the derived links must be: each sentra's financing sources and schemes (a naive
    formulation, as above)."""
    query = ("PREFIX kl: <https://w3id.org/klaster/ontology#>\n"
             f"SELECT DISTINCT ?s ?item WHERE {{ {LIVE['financing']} . ?s a kl:Sentra }}")
    return {("financing", r["s"].value, r["item"].value) for r in store.query(query)}


def submission(technology: str) -> bytes:
    """A new sentra in Wedoro (Sidoarjo) using one technology and the KUR scheme."""
    return f"""@prefix kl: <https://w3id.org/klaster/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<sentra/uji-berbagi> a kl:Sentra ;
    rdfs:label "Sentra uji berbagi"@id ;
    dcterms:identifier "uji-berbagi" ;
    kl:locatedIn <wilayah/35.15.18.2013> ;
    kl:industryCode <kbli/2020/15201> ;
    kl:usesTechnology <{technology}> ;
    kl:usesFinancingScheme <skema-pembiayaan/kur> ;
    kl:isIllustrative true .
""".encode()


def test_seeding_stores_every_count_as_a_live_count_gives(seeded_store: Path) -> None:
    store = EmbeddedStore(seeded_store, read_only=True)
    try:
        stored = sharing.stored(store, BASE)
        assert stored == live(store)
        assert {kind for kind, _ in stored} == set(sharing.KINDS)
        assert stored[("technology", CEMENTING)] >= 2  # Wedoro and Tanggulangin at least
        links = sharing.stored_links(store, BASE)
        assert links == live_links(store) and ("financing", f"{BASE}sentra/wedoro", KUR) in links
        # every count sits in the sharing graph, as one xsd:integer per item and kind, beside the
        # derived links
        assert len(stored) + len(links) == store.count(sharing.sharing_graph(BASE))
    finally:
        store.close()


def test_only_sentra_get_the_derived_financing_links() -> None:
    """A sentra and an enterprise both use KUR and are financed by a bank (the sentra through
    both links at once): the sentra gets one derived link per item, the enterprise none."""
    kl = "https://w3id.org/klaster/ontology#"
    bank, sentra, usaha = f"{BASE}pembiayaan/bank", f"{BASE}sentra/s", f"{BASE}usaha/e"
    store = EmbeddedStore()
    store.update(f"""INSERT DATA {{
        <{sentra}> a <{kl}Sentra> ; <{kl}usesFinancingScheme> <{KUR}> ; <{kl}financedBy> <{bank}> , <{KUR}> .
        <{usaha}> a <{kl}Enterprise> ; <{kl}usesFinancingScheme> <{KUR}> ; <{kl}financedBy> <{bank}> .
    }}""")
    summary = sharing.rebuild(store, BASE)
    assert sharing.stored_links(store, BASE) == {("financing", sentra, KUR), ("financing", sentra, bank)}
    assert summary.links == 2
    assert sharing.stored(store, BASE) == {("financing", KUR): 1, ("financing", bank): 1}


def test_ingest_replace_and_withdraw_keep_the_counts_current(seeded_store_copy: Path) -> None:
    store = EmbeddedStore(seeded_store_copy)
    try:
        before = sharing.stored(store, BASE)
        links_before = sharing.stored_links(store, BASE)
        cementing = before[("technology", CEMENTING)]
        tanning = before[("technology", CHROME_TANNING)]
        kur = before[("financing", KUR)]

        first = subs.submit(store, SETTINGS, submission(f"{BASE}teknologi/pengeleman"),
                            principal=STEWARD, filename="a.ttl", media_type="text/turtle")
        assert first.accepted, first.report
        now = sharing.stored(store, BASE)
        assert now == live(store)
        assert now[("technology", CEMENTING)] == cementing + 1
        assert now[("financing", KUR)] == kur + 1
        assert ("financing", NEW, KUR) in sharing.stored_links(store, BASE)
        assert sharing.stored_links(store, BASE) == live_links(store)

        # the replacement swaps the technology: the old item goes down, the new one up
        second = subs.submit(store, SETTINGS, submission(f"{BASE}teknologi/penyamakan-krom"),
                             principal=STEWARD, filename="b.ttl", media_type="text/turtle",
                             replaces=first.record.id)
        assert second.accepted, second.report
        now = sharing.stored(store, BASE)
        assert now == live(store)
        assert now[("technology", CEMENTING)] == cementing
        assert now[("technology", CHROME_TANNING)] == tanning + 1

        subs.withdraw(store, SETTINGS, second.record.id, principal=STEWARD)
        assert sharing.stored(store, BASE) == before
        assert sharing.stored_links(store, BASE) == links_before
    finally:
        store.close()


def test_rebuild_repairs_a_stale_graph(seeded_store_copy: Path) -> None:
    store = EmbeddedStore(seeded_store_copy)
    try:
        expected = sharing.stored(store, BASE)
        store.update(sharing.refresh_update(BASE, {("technology", CEMENTING): 99,
                                                   ("technology", CHROME_TANNING): 0}))
        assert sharing.stored(store, BASE)[("technology", CEMENTING)] == 99
        assert ("technology", CHROME_TANNING) not in sharing.stored(store, BASE)
        links = sharing.stored_links(store, BASE)
        wedoro = f"{BASE}sentra/wedoro"
        store.update(sharing.refresh_links_update(BASE, [wedoro], set()))
        assert ("financing", wedoro, KUR) not in sharing.stored_links(store, BASE)
        summary = sharing.rebuild(store, BASE)
        assert sharing.stored(store, BASE) == expected
        assert sharing.stored_links(store, BASE) == links
        assert summary.counts == len(expected) and summary.links == len(links)
    finally:
        store.close()


def test_technology_partners_score_with_the_refreshed_counts(seeded_store_copy: Path) -> None:
    """A new user of a shared technology lowers what sharing it is worth to everyone else."""
    store = EmbeddedStore(seeded_store_copy)
    try:
        def wedoro_tanggulangin() -> float:
            table = run_question(store, QUESTIONS["technology-partners"],
                                 {"sentra": f"{BASE}sentra/wedoro"}, base_iri=BASE)
            row = next(r for r in table.records() if r["partner"] == f"{BASE}sentra/tanggulangin")
            return float(row["score"])

        old = wedoro_tanggulangin()
        cementing = sharing.stored(store, BASE)[("technology", CEMENTING)]
        accepted = subs.submit(store, SETTINGS, submission(CEMENTING), principal=STEWARD,
                               filename="a.ttl", media_type="text/turtle")
        assert accepted.accepted, accepted.report
        assert abs(wedoro_tanggulangin() - (old - 1 / cementing + 1 / (cementing + 1))) < 1e-9
    finally:
        store.close()
