"""The SPARQL 1.1 Service Description of the endpoint (returned for ``GET /sparql`` with no query)."""

from __future__ import annotations

import pyoxigraph as ox

from kg.formats import Format
from kg.namespaces import PREFIXES, RDF

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"

_RESULT_FORMAT_IRIS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                       "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML")


def service_description(endpoint: str, graphs: list[str], fmt: Format) -> bytes:
    """The description as bytes in ``fmt`` (a graph format)."""
    sd = lambda name: ox.NamedNode(SD + name)  # noqa: E731 - a local shorthand
    a = ox.NamedNode(RDF + "type")
    service = ox.NamedNode(endpoint)
    dataset, default_graph = ox.BlankNode(), ox.BlankNode()
    triples = [
        ox.Triple(service, a, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, a, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, a, sd("Graph")),
    ]
    for name in _RESULT_FORMAT_IRIS:
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + name)))
    for graph in graphs:
        named = ox.BlankNode()
        triples += [ox.Triple(dataset, sd("namedGraph"), named),
                    ox.Triple(named, a, sd("NamedGraph")),
                    ox.Triple(named, sd("name"), ox.NamedNode(graph))]
    if fmt.key == "turtle":
        return ox.serialize(triples, format=fmt.rdf_format, prefixes={"sd": SD, **PREFIXES}) or b""
    return ox.serialize(triples, format=fmt.rdf_format) or b""
