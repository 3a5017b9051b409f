"""Links to other agencies' data: pull ``owl:sameAs`` / ``skos:*Match`` links from their endpoints.

:func:`harvest` sends a CONSTRUCT, DESCRIBE or SELECT query to another SPARQL endpoint (with
SPARQLWrapper), keeps only identity and mapping links (:data:`LINK_PREDICATES`) between two IRIs
one of which is a resource of ours (under the base IRI and present in our store), and stores them in
``{base}graph/links``:

* the links of one endpoint form a ``void:Linkset`` ``{base}linkset/{hash of the endpoint URL}``
  with PROV-O provenance: ``prov:wasDerivedFrom`` the endpoint, ``prov:generatedAtTime``, and
  ``prov:wasGeneratedBy`` an activity that ``prov:used`` the endpoint and the query (a
  ``prov:Plan`` whose ``prov:value`` is the query text);
* each link is also an ``rdf:Statement`` ``{linkset}#{hash}`` that is ``dcterms:isPartOf`` the
  linkset, so the links of each endpoint can be told apart in the one graph;
* harvesting an endpoint again replaces its linkset — its links, statements and provenance — and
  nothing else, in one atomic graph replacement (a link another linkset also states stays).

A SELECT query must project ``?s`` and ``?o`` (and may project ``?p``; without it the link is
``skos:exactMatch``).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import BadRequest, KlasterError
from kg.namespaces import DCTERMS, GRAPH_LINKS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD, graph_iri
from kg.store import Store

LINK_PREDICATES = frozenset({OWL + "sameAs", SKOS + "exactMatch", SKOS + "closeMatch",
                             SKOS + "relatedMatch", SKOS + "broadMatch", SKOS + "narrowMatch"})
DEFAULT_PREDICATE = SKOS + "exactMatch"


class LinkSourceError(KlasterError):
    """The other agency's endpoint could not be queried, or answered something unusable."""

    status = 502
    title = "Link source failed"


@dataclass(frozen=True)
class Harvest:
    """What one run of :func:`harvest` did."""

    endpoint: str
    linkset: str
    graph: str
    received: int      # triples or rows the endpoint answered
    kept: int          # links stored
    replaced: int      # links of the earlier run from the same endpoint that were removed


def read_query(path: Path) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadRequest(f"cannot read the query file {path}: {exc}") from None
    if not text.strip():
        raise BadRequest(f"the query file {path} is empty")
    return text


def linkset_iri(base_iri: str, endpoint: str) -> str:
    return f"{base_iri}linkset/{hashlib.sha256(endpoint.encode()).hexdigest()[:16]}"


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fetch(endpoint: str, query: str, *, timeout: float = 60.0) -> list[ox.Triple]:
    """Run ``query`` on ``endpoint`` and return its answer as candidate link triples."""
    from SPARQLWrapper import JSON, N3, SPARQLWrapper

    if not endpoint.startswith(("http://", "https://")):
        raise BadRequest(f"the endpoint must be an http(s) URL, not {endpoint!r}")
    client = SPARQLWrapper(endpoint)
    client.setTimeout(int(max(1, timeout)))
    client.setMethod("POST")
    client.setQuery(query)
    kind = client.queryType
    if kind in ("CONSTRUCT", "DESCRIBE"):
        client.setReturnFormat(N3)
        client.addCustomHttpHeader("Accept", "application/n-triples, text/turtle;q=0.9")
    elif kind == "SELECT":
        client.setReturnFormat(JSON)
    else:
        raise BadRequest(f"the query must be CONSTRUCT, DESCRIBE or SELECT, not {kind}")
    try:
        response = client.query().response
        body = response.read()
        media_type = (response.headers.get("Content-Type") or "").split(";")[0].strip()
    except Exception as exc:  # noqa: BLE001 - urllib and SPARQLWrapper raise many kinds
        raise LinkSourceError(f"cannot query {endpoint}: {_one_line(f'{type(exc).__name__}: {exc}')}") from None
    if kind == "SELECT":
        return _select_links(endpoint, body)
    fmt = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.TURTLE
    try:
        return [q.triple for q in ox.parse(body, format=fmt)]
    except (SyntaxError, ValueError) as exc:
        raise LinkSourceError(f"{endpoint} answered unreadable {fmt.name}: {_one_line(exc)}") from None


def _select_links(endpoint: str, body: bytes) -> list[ox.Triple]:
    try:
        results = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as exc:
        raise LinkSourceError(f"{endpoint} answered unreadable SPARQL JSON: {_one_line(exc)}") from None
    names = {v.value for v in results.variables}  # type: ignore[union-attr]
    if not {"s", "o"} <= names:
        raise BadRequest("a SELECT query for links must project ?s and ?o (and optionally ?p)")
    out = []
    for row in results:  # type: ignore[union-attr]
        s, o = row["s"], row["o"]
        p = row["p"] if "p" in names and row["p"] is not None else ox.NamedNode(DEFAULT_PREDICATE)
        if isinstance(s, (ox.NamedNode, ox.BlankNode)) and isinstance(p, ox.NamedNode) and o is not None:
            out.append(ox.Triple(s, p, o))
    return out


def _ours(store: Store, iris: Iterable[str]) -> set[str]:
    """The IRIs among ``iris`` that the store describes."""
    wanted = sorted(set(iris))
    found: set[str] = set()
    for start in range(0, len(wanted), 400):
        values = " ".join(str(ox.NamedNode(i)) for i in wanted[start:start + 400])
        result = store.query(f"SELECT DISTINCT ?x WHERE {{ VALUES ?x {{ {values} }} ?x ?p ?o }}")
        found |= {row["x"].value for row in result}  # type: ignore[union-attr]
    return found


def select_links(store: Store, candidates: Iterable[ox.Triple], base_iri: str) -> list[ox.Triple]:
    """The candidates that are links (see :data:`LINK_PREDICATES`) touching one of our resources."""
    links = [t for t in dict.fromkeys(candidates)
             if t.predicate.value in LINK_PREDICATES and isinstance(t.subject, ox.NamedNode)
             and isinstance(t.object, ox.NamedNode) and t.subject != t.object
             and (t.subject.value.startswith(base_iri) or t.object.value.startswith(base_iri))]
    ours = _ours(store, [term.value for t in links for term in (t.subject, t.object)
                         if term.value.startswith(base_iri)])
    return [t for t in links if t.subject.value in ours or t.object.value in ours]


def _statement_iri(linkset: str, triple: ox.Triple) -> str:
    key = f"{triple.subject.value}\n{triple.predicate.value}\n{triple.object.value}"
    return f"{linkset}#{hashlib.sha256(key.encode()).hexdigest()[:20]}"


def linkset_triples(linkset: str, endpoint: str, query: str, links: list[ox.Triple],
                    generated: datetime.datetime) -> list[ox.Triple]:
    n = ox.NamedNode
    ls, source, run, plan = n(linkset), n(endpoint), n(f"{linkset}/run"), n(f"{linkset}/query")
    when = ox.Literal(generated.isoformat(timespec="seconds"), datatype=n(XSD + "dateTime"))
    out = list(links) + [
        ox.Triple(ls, n(RDF + "type"), n(VOID + "Linkset")),
        ox.Triple(ls, n(RDF + "type"), n(PROV + "Entity")),
        ox.Triple(ls, n(RDFS + "label"), ox.Literal(f"Links from {endpoint}", language="en")),
        ox.Triple(ls, n(PROV + "wasDerivedFrom"), source),
        ox.Triple(ls, n(PROV + "generatedAtTime"), when),
        ox.Triple(ls, n(PROV + "wasGeneratedBy"), run),
        ox.Triple(ls, n(VOID + "triples"), ox.Literal(str(len(links)), datatype=n(XSD + "integer"))),
        ox.Triple(run, n(RDF + "type"), n(PROV + "Activity")),
        ox.Triple(run, n(PROV + "used"), source),
        ox.Triple(run, n(PROV + "used"), plan),
        ox.Triple(run, n(PROV + "endedAtTime"), when),
        ox.Triple(plan, n(RDF + "type"), n(PROV + "Plan")),
        ox.Triple(plan, n(PROV + "value"), ox.Literal(query)),
        ox.Triple(source, n(RDF + "type"), n("http://www.w3.org/ns/sparql-service-description#Service")),
    ]
    for predicate in sorted({t.predicate.value for t in links}):
        out.append(ox.Triple(ls, n(VOID + "linkPredicate"), n(predicate)))
    for link in links:
        st = n(_statement_iri(linkset, link))
        out += [ox.Triple(st, n(RDF + "type"), n(RDF + "Statement")),
                ox.Triple(st, n(RDF + "subject"), link.subject),
                ox.Triple(st, n(RDF + "predicate"), link.predicate),
                ox.Triple(st, n(RDF + "object"), link.object),
                ox.Triple(st, n(DCTERMS + "isPartOf"), ls)]
    return out


def _owned_by(subject: str, linkset: str) -> bool:
    return subject == linkset or subject.startswith(linkset + "#") or subject.startswith(linkset + "/")


def store_links(store: Store, *, base_iri: str, endpoint: str, query: str,
                links: list[ox.Triple], now: datetime.datetime | None = None) -> tuple[str, int]:
    """Replace the linkset of ``endpoint`` in the links graph; returns (linkset IRI, links removed)."""
    graph = graph_iri(base_iri, GRAPH_LINKS)
    linkset = linkset_iri(base_iri, endpoint)
    kept: list[ox.Triple] = []
    statements: dict[str, dict[str, ox.Triple]] = {}  # statement -> parts, for both sides
    for quad in store.quads(graph):
        t = quad.triple
        if isinstance(t.subject, ox.NamedNode) and t.predicate.value in (
                RDF + "subject", RDF + "predicate", RDF + "object"):
            statements.setdefault(t.subject.value, {})[t.predicate.value] = t
        if not (isinstance(t.subject, ox.NamedNode) and _owned_by(t.subject.value, linkset)):
            kept.append(t)

    def link_of(parts: dict[str, ox.Triple]) -> ox.Triple | None:
        try:
            return ox.Triple(parts[RDF + "subject"].object, parts[RDF + "predicate"].object,  # type: ignore[arg-type]
                             parts[RDF + "object"].object)
        except (KeyError, TypeError):
            return None

    mine = {link_of(p) for s, p in statements.items() if _owned_by(s, linkset)} - {None}
    others = {link_of(p) for s, p in statements.items() if not _owned_by(s, linkset)} - {None}
    dropped = mine - others
    kept = [t for t in kept if t not in dropped]
    new = linkset_triples(linkset, endpoint, query, links,
                          now or datetime.datetime.now(datetime.timezone.utc))
    merged = list(dict.fromkeys(kept + new))
    target = ox.NamedNode(graph)
    store.replace_graph(graph, (ox.Quad(t.subject, t.predicate, t.object, target) for t in merged))
    return linkset, len(dropped - set(links))


def harvest(store: Store, *, endpoint: str, query: str, base_iri: str,
            timeout: float = 60.0) -> Harvest:
    """Fetch, filter and store the links ``query`` finds at ``endpoint`` (see the module doc)."""
    candidates = fetch(endpoint, query, timeout=timeout)
    links = select_links(store, candidates, base_iri)
    linkset, replaced = store_links(store, base_iri=base_iri, endpoint=endpoint, query=query,
                                    links=links)
    return Harvest(endpoint, linkset, graph_iri(base_iri, GRAPH_LINKS), len(candidates),
                   len(links), replaced)
