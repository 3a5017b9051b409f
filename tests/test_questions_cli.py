"""``klaster ask`` runs the same function as ``GET /api/{name}``; and the questions on the real sample data."""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import search_index
from kg.cli import ask as ask_cli
from kg.errors import BadRequest
from kg.namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE, graph_iri
from kg.resources import data_file
from kg.settings import Settings
from kg.aggregates import rebuild as rebuild_aggregates
from kg.sharing import rebuild as rebuild_sharing
from kg.store import EmbeddedStore

BASE = "https://w3id.org/klaster/id/"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "questions.ttl"


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    """An on-disk store that already holds the fixture (in the reference graph) and the ontology,
    so ``ensure_store`` opens it as seeded instead of seeding it."""
    path = tmp_path / "store"
    store = EmbeddedStore(path)
    store.load(FIXTURE.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=BASE,
               graph=graph_iri(BASE, GRAPH_REFERENCE))
    rebuild_aggregates(store, BASE)  # as seeding does: the LQ questions read them
    rebuild_sharing(store, BASE)  # and the shared-item counts the partner questions read
    store.add([ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(f"{BASE}graph/inferred"))
               for t in search_index.index(store)])  # the label index, as reasoning makes it
    store.load(data_file("ontology", "klaster.ttl"), format=ox.RdfFormat.TURTLE,
               graph=graph_iri(BASE, GRAPH_ONTOLOGY))
    store.close()
    return path


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="klaster")
    ask_cli.register(top.add_subparsers(dest="command"))
    return top


def run(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


def test_ask_table(store_dir: Path, capsys) -> None:
    assert run(["ask", "technology-partners", "--param", "sentra=id:sentra/wedoro",
                "--store", str(store_dir)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("partner ")
    assert "Kampung Sepatu Kota Mojokerto" in out and "4 row(s) from offset 0" in out


def test_ask_json_matches_the_library(store_dir: Path, capsys) -> None:
    assert run(["ask", "specialisation", "-p", "commodity=15201", "-p", "level=kabupaten_kota",
                "--format", "json", "--store", str(store_dir)]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["query"] == "specialisation"
    assert body["params"]["commodity"] == BASE + "kbli/2020/15201"
    sidoarjo = next(r for r in body["rows"] if r["region_label"] == "Kabupaten Sidoarjo")
    assert sidoarjo["lq"] == pytest.approx(1029600 / 819000)


def test_ask_csv(store_dir: Path, capsys) -> None:
    assert run(["ask", "sentra-in-region", "-p", "region=35.15", "--format", "csv",
                "--store", str(store_dir)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["sentra_label"] for r in rows} == {"Sentra sandal Wedoro", "Sentra tas Tanggulangin"}


def test_ask_errors(store_dir: Path) -> None:
    with pytest.raises(BadRequest, match="'sentra'"):
        run(["ask", "technology-partners", "--store", str(store_dir)])
    with pytest.raises(BadRequest, match="KEY=VALUE"):
        run(["ask", "search", "-p", "sepatu", "--store", str(store_dir)])
    with pytest.raises(BadRequest, match="given twice"):
        run(["ask", "search", "-p", "q=ab", "-p", "q=cd", "--store", str(store_dir)])


def test_klaster_main_ask(store_dir: Path, capsys) -> None:
    from kg.cli import main

    assert main(["ask", "search", "--param", "q=sepatu", "--format", "csv", "--store", str(store_dir)]) == 0
    assert "Kampung Sepatu Kota Mojokerto" in capsys.readouterr().out
    assert main(["ask", "search", "--param", "q=x", "--store", str(store_dir)]) == 2
    assert "parameter 'q'" in capsys.readouterr().err


# -- the real reference and sample data ------------------------------------------------------------

@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> EmbeddedStore:
    """The bundled ontology, reference and sample data, reasoned, as `klaster init` makes them."""
    from kg.seed import seed

    store = EmbeddedStore()
    seed(store, Settings(store=str(tmp_path_factory.mktemp("unused"))))
    return store


@pytest.mark.skipif(not list((Path(__file__).resolve().parents[1] / "kg" / "data" / "sample").glob("*.ttl")),
                    reason="no sample data")
def test_wedoro_technology_partners_on_the_sample_data(seeded: EmbeddedStore) -> None:
    from kg.questions import load_questions, run_question

    questions = load_questions(base_iri=BASE)
    table = run_question(seeded, questions["technology-partners"], {"sentra": "id:sentra/wedoro"},
                         base_iri=BASE)
    rows = table.records()
    mojokerto = [r for r in rows if r["partner_label"] and "Kampung Sepatu Kota Mojokerto" in r["partner_label"]]
    assert mojokerto, [r["partner_label"] for r in rows]
    assert mojokerto[0]["shared_count"] >= 2 and mojokerto[0]["shared_items"]
    assert mojokerto[0]["crosses_kabupaten"] is True and mojokerto[0]["crosses_province"] is False
    jombang = [r for r in rows if r["partner_kabupaten_kota"] == "Kabupaten Jombang"]
    assert jombang, [(r["partner_label"], r["partner_kabupaten_kota"]) for r in rows]
    assert jombang[0]["shared_items"] and jombang[0]["shared_item_iris"].startswith(BASE + "teknologi/")
    # every contract question answers its documented example on the real data without error
    for name, question in questions.items():
        run_question(seeded, question, question.example_call(), base_iri=BASE)
