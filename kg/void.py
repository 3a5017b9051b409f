"""A VoID and DCAT 3 description of the dataset and its parts, with live counts.

The whole dataset is ``{base}dataset/klaster`` (a ``void:Dataset`` and ``dcat:Dataset``); each
named graph of the store is a ``void:subset`` whose IRI is the graph's own name, so a researcher
can go from a subset straight to ``GRAPH <…>`` in a query. ``void:triples`` are counted when the
description is asked for (the store's own counts, so they always agree with it). Each part has a
``dcat:Distribution`` for its compressed dump; the SPARQL endpoint is a ``dcat:DataService`` and the
whole dataset's distribution through it names it as ``dcat:accessService``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox

from kg import __version__
from kg.dump import DATASET_FILE, GRAPH_FILE
from kg.namespaces import (DCAT, DCTERMS, FOAF, GRAPH_INFERRED, GRAPH_LINKS, GRAPH_ONTOLOGY,
                           GRAPH_REFERENCE, GRAPH_SAMPLE, PREFIXES, RDF, RDFS, VOID, XSD,
                           graph_iri)
from kg.store import Store

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
MIT = "https://opensource.org/licenses/MIT"
IANA = "http://www.iana.org/assignments/media-types/"
SD = "http://www.w3.org/ns/sparql-service-description#"

#: Title (id, en), licence and sources of the seeded graphs.
_KNOWN = {
    GRAPH_ONTOLOGY: (("Ontologi Klaster", "The Klaster ontology"), CC_BY, ()),
    GRAPH_REFERENCE: (("Data rujukan: wilayah, KBLI, kawasan kerja sama",
                       "Reference data: regions, KBLI, cooperation areas"), MIT,
                      ("https://github.com/cahyadsn/wilayah", "https://oss.go.id/")),
    GRAPH_SAMPLE: (("Data sampel Jawa Timur dan Jawa Tengah",
                    "Sample data for Jawa Timur and Jawa Tengah"), CC_BY, ()),
    GRAPH_INFERRED: (("Inferensi yang dimaterialisasi", "Materialised inferences"), CC_BY, ()),
    GRAPH_LINKS: (("Tautan ke data lembaga lain", "Links to other agencies' data"), CC_BY, ()),
}
#: Existing dataset descriptions a seeded graph holds (described in the data itself).
_PARTS = {GRAPH_REFERENCE: ("dataset/wilayah", "dataset/kbli", "dataset/kawasan"),
          GRAPH_SAMPLE: ("dataset/sampel",)}


@dataclass(frozen=True)
class Endpoints:
    """Where the service publishes: absolute URLs of its SPARQL endpoint and dump folder."""

    sparql: str
    dumps: str  # ends with "/"

    @classmethod
    def under(cls, root: str) -> "Endpoints":
        root = root.rstrip("/")
        return cls(f"{root}/sparql", f"{root}/dumps/")

    def dataset_dump(self) -> str:
        return self.dumps + DATASET_FILE

    def graph_dump(self, graph: str) -> str:
        return f"{self.dumps}{GRAPH_FILE}?graph={quote(graph, safe='')}"


def dataset_iri(base_iri: str) -> str:
    return f"{base_iri}dataset/klaster"


def _graph_name(base_iri: str, graph: str) -> str | None:
    prefix = graph_iri(base_iri, "")
    return graph[len(prefix):] if graph.startswith(prefix) else None


def _titles(name: str | None, graph: str) -> tuple[str, str]:
    if name in _KNOWN:
        return _KNOWN[name][0]
    if name and name.startswith("submission/"):
        sid = name.split("/", 1)[1]
        return (f"Kiriman {sid}", f"Submission {sid}")
    if name and name.startswith("inferred/submission/"):
        sid = name.rsplit("/", 1)[1]
        return (f"Inferensi kiriman {sid}", f"Inferences of submission {sid}")
    if name == "submissions":
        return ("Provenans kiriman", "Provenance of the submissions")
    return (f"Graf {name or graph}", f"Graph {name or graph}")


def void_triples(store: Store, base_iri: str, endpoints: Endpoints) -> list[ox.Triple]:
    """The description as triples (counts read from ``store`` now)."""
    out: list[ox.Triple] = []
    n = ox.NamedNode

    def add(s: str | ox.NamedNode | ox.BlankNode, p: str, o: object) -> None:
        subject = n(s) if isinstance(s, str) else s
        if isinstance(o, str):
            o = n(o)
        out.append(ox.Triple(subject, n(p), o))  # type: ignore[arg-type]

    def text(value: str, lang: str | None = None) -> ox.Literal:
        return ox.Literal(value, language=lang) if lang else ox.Literal(value)

    def count(value: int) -> ox.Literal:
        return ox.Literal(str(value), datatype=n(XSD + "integer"))

    def distribution(of: str, url: str, media: str, title: str) -> None:
        dist = n(f"{of}#dump") if of != whole else n(f"{whole}/dump")
        add(of, DCAT + "distribution", dist)
        add(dist, RDF + "type", DCAT + "Distribution")
        add(dist, DCTERMS + "title", text(title, "en"))
        add(dist, DCAT + "downloadURL", url)
        add(dist, DCAT + "accessURL", url)
        add(dist, DCAT + "mediaType", IANA + media)
        add(dist, DCAT + "compressFormat", IANA + "application/gzip")
        add(of, VOID + "dataDump", url)

    whole = dataset_iri(base_iri)
    service = n(endpoints.sparql)
    graphs = store.graphs()
    described = {row["d"].value for row in store.query(  # type: ignore[union-attr]
        f"SELECT DISTINCT ?d WHERE {{ ?d a <{VOID}Dataset> }}")}

    for t in (VOID + "Dataset", DCAT + "Dataset"):
        add(whole, RDF + "type", t)
    add(whole, DCTERMS + "title", text("Klaster: graf pengetahuan sentra dan klaster UMKM Indonesia", "id"))
    add(whole, DCTERMS + "title", text("Klaster: a knowledge graph of Indonesia's MSME clusters", "en"))
    add(whole, RDFS + "label", text("Klaster", "en"))
    add(whole, DCTERMS + "description", text(
        "Sentra and klaster UMKM, their product, skill, technology and financing linkages, the "
        "official region hierarchy, cooperation areas, specialisation statistics and government "
        "interventions. Documented facts carry dcterms:source; illustrative data carries "
        "kl:isIllustrative true.", "en"))
    add(whole, DCTERMS + "license", CC_BY)
    add(whole, DCTERMS + "rights", text(
        "CC BY 4.0, except where a part states its own licence: the region list (reference graph) "
        "is MIT-licensed, Copyright (c) Cahya DSN.", "en"))
    add(whole, DCTERMS + "hasVersion", text(__version__))
    add(whole, DCTERMS + "modified", ox.Literal(_today(), datatype=n(XSD + "date")))
    add(whole, VOID + "triples", count(store.count(all_graphs=True)))
    add(whole, VOID + "sparqlEndpoint", service)
    add(whole, VOID + "uriSpace", text(base_iri))
    add(whole, VOID + "uriRegexPattern", text("^" + base_iri.replace(".", "\\.")))
    add(whole, VOID + "exampleResource", f"{base_iri}sentra/wedoro")
    add(whole, VOID + "exampleResource", f"{base_iri}wilayah/35.15")
    add(whole, VOID + "feature", "http://www.w3.org/ns/formats/N-Quads")
    add(whole, VOID + "feature", "http://www.w3.org/ns/formats/Turtle")
    for namespace in dict.fromkeys(PREFIXES.values()):
        add(whole, VOID + "vocabulary", namespace)
    add(whole, FOAF + "homepage", endpoints.sparql.rsplit("/", 1)[0] + "/")
    distribution(whole, endpoints.dataset_dump(), "application/n-quads",
                 "The whole dataset as gzip-compressed N-Quads")

    # The SPARQL endpoint as a DCAT 3 data service, and the dataset's distribution through it.
    add(service, RDF + "type", DCAT + "DataService")
    add(service, RDF + "type", SD + "Service")
    add(service, DCTERMS + "title", text("Klaster SPARQL 1.1 endpoint", "en"))
    add(service, DCAT + "endpointURL", service)
    add(service, DCAT + "endpointDescription", service)
    add(service, DCTERMS + "conformsTo", "https://www.w3.org/TR/sparql11-protocol/")
    add(service, DCAT + "servesDataset", whole)
    add(service, DCTERMS + "license", CC_BY)
    via = n(f"{whole}/sparql")
    add(whole, DCAT + "distribution", via)
    add(via, RDF + "type", DCAT + "Distribution")
    add(via, DCTERMS + "title", text("Query the dataset through the SPARQL endpoint", "en"))
    add(via, DCAT + "accessURL", service)
    add(via, DCAT + "accessService", service)

    for graph in graphs:
        name = _graph_name(base_iri, graph)
        title_id, title_en = _titles(name, graph)
        known = _KNOWN.get(name or "")
        add(whole, VOID + "subset", graph)
        add(graph, RDF + "type", VOID + "Linkset" if name == GRAPH_LINKS else VOID + "Dataset")
        add(graph, RDF + "type", DCAT + "Dataset")
        add(graph, DCTERMS + "title", text(title_id, "id"))
        add(graph, DCTERMS + "title", text(title_en, "en"))
        add(graph, DCTERMS + "isPartOf", whole)
        add(graph, SD + "name", graph)
        add(graph, VOID + "triples", count(store.count(graph)))
        add(graph, VOID + "sparqlEndpoint", service)
        add(graph, DCTERMS + "license", known[1] if known else CC_BY)
        for source in known[2] if known else ():
            add(graph, DCTERMS + "source", source)
        for part in _PARTS.get(name or "", ()):
            if base_iri + part in described:
                add(graph, DCTERMS + "hasPart", base_iri + part)
        if name and "submission/" in name:
            add(graph, RDFS + "seeAlso", graph_iri(base_iri, "submissions"))
        distribution(graph, endpoints.graph_dump(graph), "application/n-triples",
                     f"{title_en} as gzip-compressed N-Triples")
    return out


def _today() -> str:
    import datetime
    return datetime.date.today().isoformat()


def serialise(triples: list[ox.Triple], format: ox.RdfFormat) -> bytes:
    prefixes = {**PREFIXES, "sd": SD, "foaf": FOAF}
    if format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        return ox.serialize(triples, format=format, prefixes=prefixes) or b""
    return ox.serialize(triples, format=format) or b""
