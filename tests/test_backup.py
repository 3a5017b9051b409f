"""``klaster backup`` / ``klaster restore``: online, consistent, restored dataset isomorphic."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.auth import TokenRegistry
from kg.cli import main as klaster_main
from kg.namespaces import GRAPH_ONTOLOGY, graph_iri
from kg.store import EmbeddedStore

BATCH_GRAPH = "https://w3id.org/klaster/id/graph/backup-test"
BATCH = 50
ONTOLOGY = graph_iri("https://w3id.org/klaster/id/", GRAPH_ONTOLOGY)


def _has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _split(store: ox.Store) -> tuple[set[ox.Quad], dict[str, rdflib.Graph]]:
    """Quads without blank nodes (a set) and, per graph, an rdflib graph of the triples with blank
    nodes (compared up to blank node renaming)."""
    plain: set[ox.Quad] = set()
    blank: dict[str, list[ox.Triple]] = {}
    for quad in store.quads_for_pattern(None, None, None, None):
        if _has_blank(quad):
            blank.setdefault(str(quad.graph_name), []).append(quad.triple)
        else:
            plain.add(quad)
    graphs = {}
    for name, triples in blank.items():
        text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
        graphs[name] = rdflib.Graph().parse(data=text, format="nt")
    return plain, graphs


class _Digest:
    def __init__(self) -> None:
        self.hash = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return len(data)

    def flush(self) -> None:
        pass


def _dump_digest(store: ox.Store) -> str:
    sink = _Digest()
    store.dump(sink, ox.RdfFormat.N_QUADS)
    return sink.hash.hexdigest()


def assert_same_dataset(left: ox.Store, right: ox.Store) -> None:
    """Non-blank quads equal as sets; blank-node triples isomorphic graph by graph."""
    plain_l, blank_l = _split(left)
    plain_r, blank_r = _split(right)
    assert len(plain_l) == len(plain_r)
    assert plain_l == plain_r
    assert blank_l.keys() == blank_r.keys()
    for name in blank_l:
        assert isomorphic(blank_l[name], blank_r[name]), f"blank-node triples of {name} differ"


def test_backup_and_restore_give_an_isomorphic_dataset(seeded_store: Path, seeded_store_copy: Path,
                                                       tmp_path: Path, capsys) -> None:
    out, restored = tmp_path / "backup", tmp_path / "restored"
    assert klaster_main(["backup", "--store", str(seeded_store_copy), "--out", str(out)]) == 0
    assert "backed up" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    original = EmbeddedStore(seeded_store, read_only=True)
    try:
        assert manifest["format"] == "klaster-backup" and manifest["quads"] == len(original.raw)
        assert any(_has_blank(q) for q in original.quads(ONTOLOGY)), "no blank nodes to test"
        assert klaster_main(["restore", str(out), "--store", str(restored)]) == 0
        copy = EmbeddedStore(restored)
        try:
            # a byte-identical dump (same quads, same blank node labels) is the cheap proof for
            # 1.6 M quads; the set/isomorphism comparison runs in the online test below
            if _dump_digest(original.raw) != _dump_digest(copy.raw):
                assert_same_dataset(original.raw, copy.raw)
            copy.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")  # writable, independent
        finally:
            copy.close()
    finally:
        original.close()
    again = tmp_path / "again"  # the backup did not change when the restored store was written
    assert klaster_main(["restore", str(out), "--store", str(again)]) == 0
    assert len(ox.Store.read_only(str(again))) == manifest["quads"]


def test_online_backup_holds_the_latest_commit(tmp_path: Path) -> None:
    """A store held open for writing (as `klaster serve` holds it) is backed up with every
    committed transaction, including those still only in the write-ahead log."""
    path, out, restored = tmp_path / "store", tmp_path / "backup", tmp_path / "restored"
    live = EmbeddedStore(path)
    try:
        live.update("INSERT DATA { <urn:a> <urn:b> 1 }")
        live.flush()
        live.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> _:x . _:x <urn:c> 2 } }")
        assert klaster_main(["backup", "--store", str(path), "--out", str(out)]) == 0
        assert klaster_main(["restore", str(out), "--store", str(restored)]) == 0
        copy = ox.Store.read_only(str(restored))
        assert_same_dataset(live.raw, copy)
        del copy
    finally:
        live.close()


def test_backup_holds_whole_transactions_while_a_writer_commits(tmp_path: Path) -> None:
    path = tmp_path / "store"
    live = EmbeddedStore(path)
    live.update("INSERT DATA { <urn:x> <urn:y> <urn:z> }")
    stop = threading.Event()
    committed: list[int] = []

    def write() -> None:
        n = 0
        while not stop.is_set() and n < 400:
            body = " ".join(f"<urn:s:{n}:{i}> <urn:p> {i} ." for i in range(BATCH))
            live.update(f"INSERT DATA {{ GRAPH <{BATCH_GRAPH}> {{ {body} }} }}")
            n += 1
            committed.append(n)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        outs = []
        for i in range(3):
            out = tmp_path / f"backup-{i}"
            assert klaster_main(["backup", "--store", str(path), "--out", str(out)]) == 0
            outs.append(out)
    finally:
        stop.set()
        writer.join(30)
        live.close()
    assert committed, "the writer committed nothing"
    seen = []
    for i, out in enumerate(outs):
        restored = tmp_path / f"restored-{i}"
        assert klaster_main(["restore", str(out), "--store", str(restored)]) == 0
        store = ox.Store.read_only(str(restored))
        in_graph = len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(BATCH_GRAPH))))
        assert in_graph % BATCH == 0, f"a transaction was cut in half: {in_graph} quads"
        seen.append(in_graph)
        del store
    assert seen == sorted(seen) and seen[-1] > 0, seen


def test_tokens_and_write_log_are_backed_up(seeded_store_copy: Path, tmp_path: Path) -> None:
    auth = tmp_path / "auth.sqlite"
    registry = TokenRegistry(auth)
    issued = registry.create("dinas-a", "steward")
    out, restored = tmp_path / "backup", tmp_path / "restored"
    assert klaster_main(["backup", "--store", str(seeded_store_copy), "--out", str(out),
                         "--auth-db", str(auth)]) == 0
    registry.revoke("dinas-a")  # after the backup
    assert klaster_main(["restore", str(out), "--store", str(restored)]) == 0
    back = TokenRegistry(str(restored) + ".auth.sqlite")
    principal = back.authenticate(issued.token)
    assert principal is not None and principal.name == "dinas-a"


def test_restore_never_overwrites_and_errors_are_one_line(seeded_store_copy: Path, tmp_path: Path,
                                                          capsys) -> None:
    out = tmp_path / "backup"
    assert klaster_main(["backup", "--store", str(seeded_store_copy), "--out", str(out)]) == 0
    capsys.readouterr()
    # restoring over an existing store is refused, and the store is untouched
    before = sorted(p.name for p in seeded_store_copy.iterdir())
    assert klaster_main(["restore", str(out), "--store", str(seeded_store_copy)]) == 2
    err = capsys.readouterr().err
    assert "not empty" in err and err.count("\n") == 1 and "Traceback" not in err
    assert sorted(p.name for p in seeded_store_copy.iterdir()) == before
    # a backup into a non-empty directory is refused
    assert klaster_main(["backup", "--store", str(seeded_store_copy), "--out", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    # not a backup / no store
    assert klaster_main(["restore", str(tmp_path), "--store", str(tmp_path / "new")]) == 2
    assert "not a Klaster backup" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()
    assert klaster_main(["backup", "--store", str(tmp_path / "missing"),
                         "--out", str(tmp_path / "b2")]) == 2
    assert "no store" in capsys.readouterr().err
    # an empty target directory is fine
    empty = tmp_path / "empty"
    empty.mkdir()
    assert klaster_main(["restore", str(out), "--store", str(empty)]) == 0


def test_damaged_backup_is_refused(seeded_store_copy: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "backup"
    assert klaster_main(["backup", "--store", str(seeded_store_copy), "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["quads"] += 1
    (out / "manifest.json").write_text(json.dumps(manifest))
    capsys.readouterr()
    assert klaster_main(["restore", str(out), "--store", str(tmp_path / "new")]) != 0
    assert "damaged" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("argv", [["backup"], ["restore"]])
def test_arguments_are_required(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        klaster_main(argv)
    assert exit_info.value.code == 2
