"""Online, consistent backups of an embedded store, and restoring them into a new directory.

A backup is a directory::

    OUT/store/          a RocksDB checkpoint of the store (pyoxigraph ``Store.backup``)
    OUT/auth.sqlite     the token database and write log (SQLite online backup), when there is one
    OUT/manifest.json   what was backed up: when, from where, how many quads in which graphs

A store nobody has open is checkpointed (:meth:`pyoxigraph.Store.backup`: RocksDB's immutable
table files are hard-linked when the backup is on the same file system, so it is cheap; copy
``OUT`` elsewhere for safe keeping). A store that ``klaster serve`` holds open is backed up online:
it is opened *read-only*, which replays the write-ahead log and so sees every transaction committed
up to that moment and nothing after, and that state is copied. Either way a submission or an update
is wholly in the backup or not at all. (A checkpoint of the read-only instance would be cheaper but
is NOT complete: it leaves out the transactions still only in the write-ahead log — measured.)

Restoring copies the backup into an empty directory (never over an existing store), opens it and
checks that it holds as many quads as the manifest says.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from kg.errors import BadRequest, StoreError

FORMAT = "klaster-backup"
VERSION = 1
STORE_DIR = "store"
AUTH_FILE = "auth.sqlite"
MANIFEST = "manifest.json"
_ATTEMPTS = 3


@dataclass(frozen=True)
class BackupSummary:
    """What a backup or restore wrote."""

    directory: str
    quads: int
    graphs: int
    auth: bool
    seconds: float


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


def _usable_target(path: Path, what: str) -> None:
    if path.exists() and not _is_empty_dir(path):
        raise BadRequest(f"{what} {path} already exists and is not empty; choose a new directory")
    if path.exists() and not path.is_dir():
        raise BadRequest(f"{what} {path} is a file, not a directory")


def _census(store: ox.Store) -> tuple[int, int]:
    graphs = sum(1 for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    return len(store), graphs


def _in_use(exc: OSError) -> bool:
    return "lock" in str(exc).lower()


def _snapshot(source: Path, target: Path) -> tuple[int, int]:
    """Copy the store at ``source`` into the new directory ``target``; (quads, graphs) copied.

    When no other process has the store open, it is opened for writing and checkpointed (cheap:
    hard links). When a server holds it, a checkpoint of a read-only instance would miss the writes
    still only in the write-ahead log, so the read-only instance — which does replay that log and
    so sees every committed transaction up to the moment it opened — is copied quad by quad.
    """
    if not source.is_dir():
        raise BadRequest(f"no store at {source}: the directory does not exist")
    try:
        writer = ox.Store(str(source))
    except OSError as exc:
        if not _in_use(exc):
            raise StoreError(f"cannot open the store at {source}: {exc}") from None
        return _copy_live(source, target)
    try:
        counts = _census(writer)
        writer.backup(str(target))
        return counts
    except OSError as exc:
        raise StoreError(f"cannot checkpoint the store at {source}: {exc}") from None
    finally:
        del writer


def _copy_live(source: Path, target: Path) -> tuple[int, int]:
    last: Exception | None = None
    for attempt in range(_ATTEMPTS):
        try:
            live = ox.Store.read_only(str(source))
            counts = _census(live)
            copy = ox.Store(str(target))
            copy.bulk_extend(live.quads_for_pattern(None, None, None, None))
            copy.flush()
            copied = _census(copy)
            del copy, live
        except OSError as exc:  # e.g. a table file compacted away by the live writer: try again
            last = exc
            shutil.rmtree(target, ignore_errors=True)
            time.sleep(0.2 * (attempt + 1))
            continue
        if copied != counts:
            raise StoreError(f"the copy of {source} holds {copied[0]} quads, the store {counts[0]}")
        return counts
    raise StoreError(f"cannot copy the store at {source} while it is in use: {last}")


def _link_or_copy(src: str, dst: str) -> str:
    """RocksDB table files (``.sst``) never change once written: hard-link them when possible."""
    if src.endswith(".sst"):
        try:
            os.link(src, dst)
            return dst
        except OSError:
            pass
    return shutil.copy2(src, dst)


def _restore_copy(source: Path, target: Path) -> tuple[int, int]:
    """Copy a backed-up store directory (write-ahead log included) and open it; (quads, graphs)."""
    shutil.copytree(source, target, copy_function=_link_or_copy,
                    ignore=shutil.ignore_patterns("LOCK"))
    try:
        store = ox.Store(str(target))  # replays any write-ahead log the checkpoint kept
    except OSError as exc:
        raise StoreError(f"the restored store at {target} does not open: {exc}") from None
    try:
        counts = _census(store)
        store.flush()
        return counts
    finally:
        del store


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite file that may be in use (SQLite's online backup API)."""
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)) as src, \
                closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
        os.chmod(target, 0o600)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot copy the token database {source}: {exc}") from None


def backup(store_path: str | os.PathLike[str], out: str | os.PathLike[str], *,
           auth_db: str | os.PathLike[str] | None = None) -> BackupSummary:
    """Back up the store at ``store_path`` (and the token database ``auth_db``) into ``out``."""
    started = time.perf_counter()
    source, target = Path(store_path), Path(out)
    _usable_target(target, "the backup directory")
    target.mkdir(parents=True, exist_ok=True)
    try:
        quads, graphs = _snapshot(source, target / STORE_DIR)
        has_auth = auth_db is not None and Path(auth_db).is_file()
        if has_auth:
            _copy_sqlite(Path(auth_db), target / AUTH_FILE)  # type: ignore[arg-type]
        manifest = {"format": FORMAT, "version": VERSION,
                    "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "source": str(source.resolve()), "quads": quads, "named_graphs": graphs,
                    "auth": has_auth}
        (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return BackupSummary(str(target), quads, graphs, has_auth, time.perf_counter() - started)


def read_manifest(directory: str | os.PathLike[str]) -> dict[str, object]:
    path = Path(directory)
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadRequest(f"{path} is not a Klaster backup: it has no {MANIFEST}") from None
    except (OSError, ValueError) as exc:
        raise BadRequest(f"the backup manifest {path / MANIFEST} is unreadable: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BadRequest(f"{path / MANIFEST} is not a Klaster backup manifest")
    if manifest.get("version") != VERSION:
        raise BadRequest(f"backup format version {manifest.get('version')!r} is not supported "
                         f"(this Klaster reads version {VERSION})")
    if not (path / STORE_DIR).is_dir():
        raise BadRequest(f"the backup {path} is incomplete: {STORE_DIR}/ is missing")
    return manifest


def restore(backup_dir: str | os.PathLike[str], store_path: str | os.PathLike[str], *,
            auth_db: str | os.PathLike[str] | None = None) -> BackupSummary:
    """Restore the backup in ``backup_dir`` into the new, empty store directory ``store_path``."""
    started = time.perf_counter()
    source, target = Path(backup_dir), Path(store_path)
    manifest = read_manifest(source)
    _usable_target(target, "the store directory")
    auth_target = Path(auth_db) if auth_db is not None else None
    restore_auth = bool(manifest.get("auth")) and auth_target is not None
    if restore_auth and auth_target.exists():  # type: ignore[union-attr]
        raise BadRequest(f"the token database {auth_target} already exists; move it away or set "
                         "KLASTER_AUTH_DB to a new file")
    if target.exists():
        target.rmdir()  # empty (checked above): the checkpoint creates it
    try:
        quads, graphs = _restore_copy(source / STORE_DIR, target)
        if quads != manifest.get("quads"):
            raise StoreError(f"the restored store holds {quads} quads, the backup manifest "
                             f"says {manifest.get('quads')}: the backup is damaged")
        if restore_auth:
            _copy_sqlite(source / AUTH_FILE, auth_target)  # type: ignore[arg-type]
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return BackupSummary(str(target), quads, graphs, restore_auth, time.perf_counter() - started)
