"""IRIs of the vocabularies Klaster uses and of its named graphs."""

from __future__ import annotations

KL = "https://w3id.org/klaster/ontology#"
ONTOLOGY_IRI = "https://w3id.org/klaster/ontology"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
QB = "http://purl.org/linked-data/cube#"
GEO = "http://www.opengis.net/ont/geosparql#"
TIME = "http://www.w3.org/2006/time#"
FOAF = "http://xmlns.com/foaf/0.1/"
SCHEMA = "https://schema.org/"
WDT = "http://www.wikidata.org/prop/direct/"
SH = "http://www.w3.org/ns/shacl#"

#: Prefixes offered to researchers (query page, README) and used when printing Turtle.
PREFIXES: dict[str, str] = {
    "kl": KL,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "org": ORG,
    "prov": PROV,
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "void": VOID,
    "qb": QB,
    "geo": GEO,
    "time": TIME,
    "wdt": WDT,
}

#: Named graphs, relative to the base IRI: ``{base}graph/{name}``.
GRAPH_ONTOLOGY = "ontology"
GRAPH_REFERENCE = "reference"
GRAPH_SAMPLE = "sample"
GRAPH_INFERRED = "inferred"
GRAPH_LINKS = "links"


def graph_iri(base_iri: str, name: str) -> str:
    """The IRI of a named graph under ``base_iri`` (``{base}graph/{name}``)."""
    return f"{base_iri}graph/{name}"


def sparql_prologue(base_iri: str | None = None) -> str:
    """PREFIX declarations for every vocabulary, plus ``id:`` for the instance base when given."""
    lines = [f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items()]
    if base_iri:
        lines.append(f"PREFIX id: <{base_iri}>")
    return "\n".join(lines) + "\n"
