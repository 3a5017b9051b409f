"""The store interface and its embedded implementation on pyoxigraph.

Everything above this module talks to a :class:`Store`. The embedded :class:`EmbeddedStore` keeps a
pyoxigraph (RocksDB) database in a directory; a remote SPARQL 1.1 store implements the same
interface (see :func:`open_store`). Query results are pyoxigraph's own result objects
(``QuerySolutions``, ``QueryBoolean``, ``QueryTriples``) whichever store produced them, so results
are serialised in one place.

Queries see the union of all graphs as their default graph unless the caller names the default
graphs, as the SPARQL protocol's ``default-graph-uri`` does.
"""

from __future__ import annotations

import abc
import gzip
import io
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Union

import pyoxigraph as ox

from kg.errors import BadRequest, QuerySyntaxError, StoreError, UnsupportedFormat

Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal]
QueryResult = Union[ox.QuerySolutions, ox.QueryBoolean, ox.QueryTriples]
Progress = Callable[[int], None]

#: Files whose RDF text (uncompressed) is larger than this are bulk-loaded (fast, not
#: transactional) rather than loaded in one transaction held in memory (a transactional load of
#: 1.6 M quads peaked at 2.6 GB).
BULK_THRESHOLD = 256 * 1024 * 1024


def uncompressed_size(path: Path) -> int:
    """The size of a file's RDF text: a ``.gz`` file's from its gzip trailer (ISIZE, the size
    modulo 4 GiB: the smallest such size not below the compressed size is taken)."""
    size = path.stat().st_size
    if not path.name.lower().endswith(".gz") or size < 18:
        return size
    with open(path, "rb") as handle:
        handle.seek(-4, os.SEEK_END)
        text = int.from_bytes(handle.read(4), "little")
    while text < size:
        text += 1 << 32
    return text


def rdf_format(name_or_path: str | os.PathLike[str]) -> ox.RdfFormat:
    """The RDF format for a file name, an extension or a media type."""
    text = str(name_or_path)
    if "/" in text and not Path(text).suffix:
        fmt = ox.RdfFormat.from_media_type(text.split(";")[0].strip())
        if fmt is None:
            raise UnsupportedFormat(f"unsupported RDF media type {text!r}")
        return fmt
    name = Path(text).name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    ext = name.rsplit(".", 1)[-1] if "." in name else name
    aliases = {"json": "jsonld", "xml": "rdf", "owl": "rdf"}
    fmt = ox.RdfFormat.from_extension(aliases.get(ext, ext))
    if fmt is None:
        raise UnsupportedFormat(
            f"cannot tell the RDF syntax of {Path(text).name!r}: use .ttl, .nt, .nq, .trig, "
            ".jsonld, .rdf or .n3 (optionally .gz)")
    return fmt


def node(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise BadRequest(f"not a valid IRI: {iri!r} ({exc})") from None


def graph_node(graph: str | None) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if graph is None else node(graph)


def query_options(sparql: str, *, bindings: Mapping[str, Term] | None = None,
                  default_graphs: Iterable[str] | None = None,
                  named_graphs: Iterable[str] | None = None,
                  base_iri: str | None = None,
                  prefixes: Mapping[str, str] | None = None) -> dict[str, object]:
    """pyoxigraph ``Store.query`` arguments giving Klaster's dataset semantics.

    The default graph is the union of all graphs, unless the caller (the protocol's
    ``default-graph-uri`` / ``named-graph-uri``) or the query itself (``FROM``) names the dataset;
    when only named graphs are given, the default graph is empty.
    """
    from kg.sparql_text import has_dataset_clause

    kwargs: dict[str, object] = {}
    if base_iri:
        kwargs["base_iri"] = base_iri
    if prefixes:
        kwargs["prefixes"] = dict(prefixes)
    named = None if named_graphs is None else list(named_graphs)
    if default_graphs is not None:
        kwargs["default_graph"] = [node(g) for g in default_graphs]
        if named is None:
            named = []
    elif named is None and not has_dataset_clause(sparql):
        kwargs["use_default_graph_as_union"] = True
    elif named is not None:
        kwargs["default_graph"] = []
    if named is not None:
        kwargs["named_graphs"] = [node(g) for g in named]
    if bindings:
        kwargs["substitutions"] = {ox.Variable(k): v for k, v in bindings.items()}
    return kwargs


class _ProgressReader(io.RawIOBase):
    """A binary reader that reports how many bytes have been read."""

    def __init__(self, raw: IO[bytes], progress: Progress | None) -> None:
        self._raw = raw
        self._progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        if self._progress and n:
            self._progress(n)
        return n


class Store(abc.ABC):
    """What Klaster needs from a quad store."""

    @abc.abstractmethod
    def query(self, sparql: str, *, bindings: Mapping[str, Term] | None = None,
              default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None,
              prefixes: Mapping[str, str] | None = None) -> QueryResult:
        """Run a SPARQL query. ``bindings`` pre-bind variables to RDF terms (never text);
        ``prefixes`` are declared without touching the text (error positions stay the user's)."""

    @abc.abstractmethod
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL update as one transaction (relative IRIs resolved against ``base_iri``)."""

    @abc.abstractmethod
    def load(self, source: bytes | str | IO[bytes] | Path, *, format: ox.RdfFormat,
             graph: str | None = None, base_iri: str | None = None,
             progress: Progress | None = None) -> None:
        """Add the RDF in ``source`` (into ``graph`` for triple formats)."""

    @abc.abstractmethod
    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction."""

    @abc.abstractmethod
    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        """Make ``graph`` hold exactly ``quads`` (their graph names are ignored), atomically."""

    @abc.abstractmethod
    def drop_graph(self, graph: str | None) -> None:
        """Remove a named graph (or empty the default graph when ``graph`` is None)."""

    @abc.abstractmethod
    def graphs(self) -> list[str]:
        """The IRIs of the named graphs that hold at least one quad."""

    @abc.abstractmethod
    def count(self, graph: str | None = None, *, all_graphs: bool = False) -> int:
        """Quads in one graph (the default graph when None), or in the whole dataset."""

    @abc.abstractmethod
    def quads(self, graph: str | None = None, *, all_graphs: bool = False) -> Iterator[ox.Quad]:
        """Stream the quads of one graph or of the whole dataset."""

    @abc.abstractmethod
    def dump(self, output: IO[bytes], *, format: ox.RdfFormat, graph: str | None = None,
             all_graphs: bool = True) -> None:
        """Serialise the dataset (or one graph) to ``output`` without holding it in memory."""

    def close(self) -> None:  # pragma: no cover - trivial default
        """Release the store."""

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EmbeddedStore(Store):
    """A pyoxigraph store persisted in a directory (or in memory when ``path`` is None)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> None:
        self.path = None if path is None else Path(path)
        self.read_only = read_only
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from None

    # -- reading ---------------------------------------------------------------------------------
    @property
    def raw(self) -> ox.Store:
        """The underlying pyoxigraph store (for streaming serialisation and bulk work)."""
        return self._store

    def query(self, sparql: str, *, bindings: Mapping[str, Term] | None = None,
              default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None,
              prefixes: Mapping[str, str] | None = None) -> QueryResult:
        kwargs = query_options(sparql, bindings=bindings, default_graphs=default_graphs,
                               named_graphs=named_graphs, prefixes=prefixes)
        try:
            return self._store.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from None
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"query failed: {exc}") from None

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)
                      and self._has_quads(g))

    def _has_quads(self, graph: ox.NamedNode) -> bool:
        return next(iter(self._store.quads_for_pattern(None, None, None, graph)), None) is not None

    def count(self, graph: str | None = None, *, all_graphs: bool = False) -> int:
        if all_graphs:
            return len(self._store)
        result = self._store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
            default_graph=graph_node(graph))
        return int(next(iter(result))["n"].value)

    def quads(self, graph: str | None = None, *, all_graphs: bool = False) -> Iterator[ox.Quad]:
        if all_graphs:
            return iter(self._store.quads_for_pattern(None, None, None, None))
        return iter(self._store.quads_for_pattern(None, None, None, graph_node(graph)))

    def dump(self, output: IO[bytes], *, format: ox.RdfFormat, graph: str | None = None,
             all_graphs: bool = True) -> None:
        if format.supports_datasets and all_graphs and graph is None:
            self._store.dump(output, format)
        else:
            self._store.dump(output, format, from_graph=graph_node(graph))

    # -- writing ---------------------------------------------------------------------------------
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        try:
            self._store.update(sparql, base_iri=base_iri)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from None
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"update failed: {exc}") from None

    def load(self, source: bytes | str | IO[bytes] | Path, *, format: ox.RdfFormat,
             graph: str | None = None, base_iri: str | None = None,
             progress: Progress | None = None) -> None:
        to_graph = graph_node(graph) if not format.supports_datasets or graph else None
        bulk = False
        opened: list[IO[bytes]] = []
        stream: IO[bytes] | bytes | str = source  # type: ignore[assignment]
        if isinstance(source, Path):
            bulk = uncompressed_size(source) > BULK_THRESHOLD
            stream = open(source, "rb")
            opened.append(stream)
        if hasattr(stream, "read") and progress is not None:  # count bytes as they come off disk
            stream = io.BufferedReader(_ProgressReader(stream, progress), 1 << 20)  # type: ignore[arg-type]
        if isinstance(source, Path) and source.name.endswith(".gz"):
            stream = gzip.GzipFile(fileobj=stream)  # type: ignore[arg-type]
            opened.append(stream)
        try:
            kwargs: dict[str, object] = {"format": format, "base_iri": base_iri}
            if to_graph is not None:
                kwargs["to_graph"] = to_graph
            if bulk:
                self._store.bulk_load(stream, **kwargs)
            else:
                self._store.load(stream, **kwargs)
        except SyntaxError as exc:
            raise BadRequest(f"invalid {format.name}: {exc}") from None
        except ValueError as exc:
            raise UnsupportedFormat(str(exc)) from None
        except (OSError, EOFError, RuntimeError) as exc:
            raise StoreError(f"load failed: {exc}") from None
        finally:
            for handle in reversed(opened):
                handle.close()

    def add(self, quads: Iterable[ox.Quad]) -> None:
        try:
            self._store.extend(quads)
        except OSError as exc:
            raise StoreError(f"write failed: {exc}") from None

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        # Serialise to N-Triples and swap in one update transaction: DROP and INSERT DATA commit
        # together, so readers see the old graph or the new one, never a mix.
        target = node(graph)
        body = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
        text = body.decode() if body else ""
        self.update(f"DROP SILENT GRAPH <{target.value}> ;\n"
                    f"INSERT DATA {{ GRAPH <{target.value}> {{\n{text}}} }}")

    def drop_graph(self, graph: str | None) -> None:
        if graph is None:
            self._store.clear_graph(ox.DefaultGraph())
        else:
            self._store.remove_graph(node(graph))

    def flush(self) -> None:
        self._store.flush()

    def backup(self, target: str | os.PathLike[str]) -> None:
        self._store.backup(str(target))

    def close(self) -> None:
        if not self.read_only:
            try:
                self._store.flush()
            except (OSError, RuntimeError):
                pass
        del self._store
        if not self.read_only and self.path is not None:
            _purge_write_ahead_logs(self.path)


# RocksDB keeps a write-ahead log of every transactional write. pyoxigraph flushes the data into
# sorted tables but deletes the obsolete logs only when the directory is next opened for writing:
# `klaster init` on the bundled data left 1.5 GB of logs beside 640 MB of data. Reopening once at
# close (0.2-0.4 s) deletes them, so a store on disk is its data and not every write ever made.
_LOGS_WORTH_PURGING = 64 * 2**20


def _purge_write_ahead_logs(path: Path) -> None:
    try:
        logs = sum(f.stat().st_size for f in path.glob("*.log"))
    except OSError:
        return
    if logs < _LOGS_WORTH_PURGING:
        return
    try:
        reopened = ox.Store(str(path))
    except OSError:
        return  # another handle in this process still holds the lock: it purges when it reopens
    del reopened


def open_store(location: str, *, read_only: bool = False, settings: object = None,
               **remote_options: object) -> Store:
    """Open the store a ``KLASTER_STORE`` value names: a directory or a SPARQL endpoint URL.

    For a URL, the update endpoint and credentials come from ``settings`` (a
    :class:`kg.settings.Settings`) unless given as ``remote_options`` (``update_url``, ``user``,
    ``password``, ``timeout``) of :class:`kg.remote.RemoteStore`."""
    if location.startswith(("http://", "https://")):
        from kg.remote import RemoteStore

        options: dict[str, object] = {}
        if settings is not None:
            options = {"update_url": getattr(settings, "update_endpoint", None),
                       "user": getattr(settings, "store_user", None),
                       "password": getattr(settings, "store_password", None)}
        options.update(remote_options)
        return RemoteStore(location, **options)  # type: ignore[arg-type]
    path = Path(location)
    if path.exists() and not path.is_dir():
        raise StoreError(f"KLASTER_STORE {location!r} is a file, not a directory")
    return EmbeddedStore(path, read_only=read_only)
