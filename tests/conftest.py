"""Shared fixtures: settings, stores, the app and its test client."""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # so tests can `import helpers`

from helpers import ADMIN_TOKEN, TINY_TTL  # noqa: E402

from kg.cli import main as klaster_main  # noqa: E402
from kg.settings import Settings  # noqa: E402
from kg.store import EmbeddedStore  # noqa: E402

BASE_IRI = "https://w3id.org/klaster/id/"
TINY_GRAPH = BASE_IRI + "graph/sample"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store=str(tmp_path / "store"), admin_token=ADMIN_TOKEN, query_timeout=10.0,
                    max_rows=1000, max_body=1024 * 1024, query_workers=2, threads=4)


def fill(store: EmbeddedStore) -> EmbeddedStore:
    store.load(TINY_TTL.encode(), format=ox.RdfFormat.TURTLE, graph=TINY_GRAPH, base_iri=BASE_IRI)
    return store


@pytest.fixture
def memory_store() -> EmbeddedStore:
    """An in-memory store holding the tiny dataset (queries run in-process)."""
    return fill(EmbeddedStore())


@pytest.fixture
def disk_store(tmp_path: Path) -> EmbeddedStore:
    """An on-disk store holding the tiny dataset (queries run in worker processes)."""
    store = fill(EmbeddedStore(tmp_path / "disk-store"))
    yield store
    store.close()


@pytest.fixture
def app(settings: Settings, memory_store: EmbeddedStore):
    from service import create_app

    app = create_app(settings, store=memory_store)
    app.config["TESTING"] = True
    yield app
    app.extensions["klaster"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def disk_app(settings: Settings, disk_store: EmbeddedStore):
    """The app over an on-disk store, with real worker processes and snapshots."""
    from service import create_app

    app = create_app(settings, store=disk_store)
    yield app
    app.extensions["klaster"].close()


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store directory seeded once per test session (ontology, reference, sample, inferences).

    Read it only (``EmbeddedStore(path, read_only=True)``); take ``seeded_store_copy`` to write.
    """
    path = tmp_path_factory.mktemp("seeded") / "store"
    assert klaster_main(["init", "--store", str(path)]) == 0
    return path


@pytest.fixture
def seeded_store_copy(seeded_store: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded store (a hard-linked pyoxigraph backup: cheap)."""
    copy = tmp_path / "store"
    source = EmbeddedStore(seeded_store, read_only=True)
    source.backup(copy)
    source.close()
    return copy
