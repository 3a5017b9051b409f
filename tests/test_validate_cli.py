"""``klaster validate``: report formats, languages and exit codes (0 conforms, 1 violations, 2 unreadable)."""

from __future__ import annotations

import json

import pytest

import kg.cli
from validation_helpers import CORPUS, corpus_store


def klaster(argv: list[str]) -> int:
    """``klaster ...`` as the console script runs it (its error handling included)."""
    return kg.cli.main(argv)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    """An on-disk store that already holds the ontology and reference graphs (so it is not re-seeded)."""
    from kg.store import EmbeddedStore

    path = tmp_path_factory.mktemp("cli") / "store"
    source = corpus_store()
    target = EmbeddedStore(path)
    target.add(source.quads(all_graphs=True))
    target.close()
    return str(path)


def test_conforming_file_exits_0(store_dir, capsys):
    assert klaster(["validate", str(CORPUS / "good-sentra.csv"), "--store", store_dir]) == 0
    out = capsys.readouterr().out
    assert "Data memenuhi semua aturan wajib" in out and "0 pelanggaran" in out


def test_warnings_alone_still_exit_0(store_dir, capsys):
    assert klaster(["validate", str(CORPUS / "few-units.csv"), "--store", store_dir, "--lang", "en"]) == 0
    assert "WARNING: row 2, column jumlah_unit" in capsys.readouterr().out


def test_violations_exit_1_with_json_report(store_dir, capsys):
    code = klaster(["validate", str(CORPUS / "kbli-unknown.csv"), "--store", store_dir, "--format", "json"])
    assert code == 1
    body = json.loads(capsys.readouterr().out)
    assert body["counts"]["violation"] == 1
    assert body["findings"][0]["column"] == "kbli" and body["findings"][0]["row"] == 2


@pytest.mark.parametrize("fmt, marker", [("turtle", "sh:ValidationReport"), ("html", "<table>")])
def test_other_formats(store_dir, capsys, fmt, marker):
    assert klaster(["validate", str(CORPUS / "region-level.csv"), "--store", store_dir, "--format", fmt]) == 1
    assert marker in capsys.readouterr().out


def test_kind_option_and_unreadable_input_exit_2(store_dir, capsys):
    assert klaster(["validate", str(CORPUS / "good-sentra.csv"), "--kind", "statistics",
                    "--store", store_dir]) == 2
    assert "not the statistics template" in capsys.readouterr().err
    assert klaster(["validate", str(CORPUS / "truncated.xlsx"), "--store", store_dir]) == 2
    assert "damaged or truncated" in capsys.readouterr().err
    assert klaster(["validate", str(CORPUS / "no-such-file.csv"), "--store", store_dir]) == 2
