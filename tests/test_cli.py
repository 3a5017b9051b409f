"""The ``klaster`` command line: init, load, query, export, and bad input everywhere.

The CLI runs in a real subprocess where the exit code and stderr matter (tracebacks must never
show); in-process through ``kg.cli.main`` elsewhere for speed.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

from kg.cli import main
from kg.namespaces import graph_iri
from kg.settings import load_settings
from kg.store import EmbeddedStore

BASE = "https://w3id.org/klaster/id/"


def klaster(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def test_init_is_idempotent(seeded_store: Path, tmp_path: Path) -> None:
    store = EmbeddedStore(seeded_store, read_only=True)
    before = store.count(all_graphs=True)
    graphs = store.graphs()
    store.close()
    assert graph_iri(BASE, "reference") in graphs
    assert graph_iri(BASE, "sample") in graphs
    assert graph_iri(BASE, "inferred") in graphs
    copy = tmp_path / "again"
    EmbeddedStore(seeded_store, read_only=True).backup(copy)
    assert main(["init", "--store", str(copy)]) == 0
    again = EmbeddedStore(copy)
    assert again.count(all_graphs=True) == before
    again.close()


def test_init_leaves_data_not_write_ahead_logs(seeded_store: Path) -> None:
    # init writes the inferences in transactions; RocksDB's logs of them (1.5 GB on the bundled
    # data) must be gone once the store is closed, leaving the data itself
    logs = sum(f.stat().st_size for f in seeded_store.glob("*.log"))
    data = sum(f.stat().st_size for f in seeded_store.glob("*.sst"))
    assert data > 100 * 2**20
    assert logs < 64 * 2**20, f"{logs / 2**20:.0f} MB of write-ahead logs left after init"


def test_init_without_sample(tmp_path: Path) -> None:
    assert main(["init", "--no-sample", "--store", str(tmp_path / "s")]) == 0
    store = EmbeddedStore(tmp_path / "s")
    assert graph_iri(BASE, "sample") not in store.graphs()
    assert store.count(graph_iri(BASE, "reference")) > 700_000
    store.close()


def test_query_table_and_json(seeded_store_copy: Path, capsys: pytest.CaptureFixture) -> None:
    query = ("SELECT ?label WHERE { <https://w3id.org/klaster/id/wilayah/35.15.18.2013> "
             "rdfs:label ?label }")
    assert main(["query", "-e", query, "--store", str(seeded_store_copy)]) == 0
    out = capsys.readouterr().out
    assert "Wedoro" in out and "(1 row)" in out
    assert main(["query", "-e", query, "--format", "json", "--store", str(seeded_store_copy)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["results"]["bindings"][0]["label"]["value"] == "Wedoro"


def test_region_containment_is_materialised(seeded_store_copy: Path) -> None:
    store = EmbeddedStore(seeded_store_copy)
    wedoro = ox.NamedNode(BASE + "wilayah/35.15.18.2013")
    ancestors = {s["r"].value for s in store.query(
        "SELECT ?w ?r WHERE { ?w <https://w3id.org/klaster/ontology#within> ?r }",
        bindings={"w": wedoro})}
    assert ancestors == {BASE + "wilayah/35.15.18", BASE + "wilayah/35.15", BASE + "wilayah/35"}
    geo = store.query("SELECT ?w ?r WHERE { ?w <http://www.opengis.net/ont/geosparql#sfWithin> ?r }",
                      bindings={"w": wedoro, "r": ox.NamedNode(BASE + "wilayah/35")})
    assert len(list(geo)) == 1
    store.close()


def test_load_adds_a_graph_and_reasons(seeded_store_copy: Path, tmp_path: Path) -> None:
    data = tmp_path / "extra.ttl"
    data.write_text(
        "@prefix kl: <https://w3id.org/klaster/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://example.org/sentra/x> a kl:Sentra ; rdfs:label \"X\"@id ;\n"
        "  kl:locatedIn <https://w3id.org/klaster/id/wilayah/35.15.18.2013> .\n")
    assert main(["load", str(data), "--graph", "https://example.org/g",
                 "--store", str(seeded_store_copy)]) == 0
    store = EmbeddedStore(seeded_store_copy)
    assert store.count("https://example.org/g") == 3
    inside = store.query(
        "ASK { <https://example.org/sentra/x> <https://w3id.org/klaster/ontology#within> "
        "<https://w3id.org/klaster/id/wilayah/35> }")
    assert bool(inside), "a loaded sentra must be placed in its province by the reasoner"
    store.close()


def _split_blank(dump: bytes) -> tuple[list[bytes], list[bytes]]:
    lines = dump.splitlines()
    return (sorted(l for l in lines if b"_:" not in l), [l for l in lines if b"_:" in l])


def test_export_then_load_is_isomorphic(seeded_store_copy: Path, tmp_path: Path) -> None:
    dump = tmp_path / "dump.nq.gz"
    assert main(["export", "--out", str(dump), "--store", str(seeded_store_copy)]) == 0
    fresh = tmp_path / "fresh"
    assert main(["load", str(dump), "--store", str(fresh)]) == 0
    again = tmp_path / "again.nq"
    assert main(["export", "--out", str(again), "--store", str(fresh)]) == 0
    with gzip.open(dump, "rb") as handle:
        first = handle.read()
    second = again.read_bytes()
    plain_one, blank_one = _split_blank(first)
    plain_two, blank_two = _split_blank(second)
    assert plain_one == plain_two
    assert len(blank_one) == len(blank_two) > 0
    # quads with blank nodes (OWL restrictions) are compared as graphs: isomorphic per graph
    one, two = Dataset(), Dataset()
    one.parse(data=b"\n".join(blank_one), format="nquads")
    two.parse(data=b"\n".join(blank_two), format="nquads")
    graphs = {str(g.identifier) for g in one.graphs()} | {str(g.identifier) for g in two.graphs()}
    for graph in graphs:
        assert isomorphic(one.graph(graph), two.graph(graph)), graph


BAD_INPUT = [
    (["load", "does-not-exist.ttl"], "no such file"),
    (["load", "{tmp}/data.xyz"], "cannot tell the RDF syntax"),
    (["load", "{tmp}/broken.ttl"], "invalid"),
    (["load", "{tmp}/ok.ttl", "--graph", "not an iri"], "not a valid IRI"),
    (["query", "-e", "SELECT WHERE {"], "SPARQL syntax error: error at 1:"),
    (["query", "missing.rq"], "no such file"),
    (["query", "-e", "SELECT * {}", "--format", "yaml"], "invalid choice"),
    (["export", "--out", "{tmp}/no/such/dir/x.nq"], "no such directory"),
    (["init", "--store", "{tmp}/afile"], "is a file"),
    (["frobnicate"], "invalid choice"),
    (["query"], "one of the arguments"),
]


@pytest.mark.parametrize("argv,message", BAD_INPUT, ids=[" ".join(a) for a, _ in BAD_INPUT])
def test_bad_input_gives_one_clear_line(argv: list[str], message: str, tmp_path: Path,
                                        seeded_store_copy: Path) -> None:
    (tmp_path / "data.xyz").write_text("x")
    (tmp_path / "broken.ttl").write_text("<a> <b> .")
    (tmp_path / "ok.ttl").write_text("<http://a> <http://b> <http://c> .")
    (tmp_path / "afile").write_text("not a directory")
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    if args[0] in ("load", "query", "export") and "--store" not in args:
        args += ["--store", str(seeded_store_copy)]
    result = klaster(*args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert message in lines[0], lines[0]


def test_bad_setting_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "kg.cli", "init", "--store", str(tmp_path)],
                            capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "KLASTER_BASE_IRI": "urn:nope"})
    assert result.returncode == 2
    assert "KLASTER_BASE_IRI" in result.stderr and "Traceback" not in result.stderr


def test_settings_registry_defaults() -> None:
    settings = load_settings({})
    assert settings.store == "./klaster-data"
    assert settings.base_iri == BASE
    assert settings.query_timeout == 30.0
