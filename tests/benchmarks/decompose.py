"""Where the time of the slow canned questions goes: time their building blocks alone.

    python tests/benchmarks/decompose.py STORE_DIR

Each block is a sub-pattern a canned question evaluates over the WHOLE store whatever its
parameters (pyoxigraph evaluates sub-selects bottom-up, without the outer bindings), timed on
pyoxigraph in-process with the union default graph. Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import sys
import time

import pyoxigraph as ox

P = """PREFIX kl: <https://w3id.org/klaster/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

BLOCKS = (
    ("best label of every labelled resource (partner/sentra/region label sub-selects)",
     "all partner questions, linkages, corridor, interventions, specialisation, oversupply, unreached",
     'SELECT ?x (SUBSTR(MIN(CONCAT(IF(LANGMATCHES(LANG(?l), "id"), "0", "1"), STR(?l))), 2) AS ?label) '
     "WHERE { ?x rdfs:label ?l } GROUP BY ?x"),
    ("technologies per sentra, every sentra (jaccard denominators)", "technology-partners",
     "SELECT ?p (COUNT(DISTINCT ?t) AS ?n) WHERE { ?p kl:usesTechnology ?t } GROUP BY ?p"),
    ("users per technology, every technology (score weights)", "technology-partners",
     'SELECT ?item (COUNT(DISTINCT ?u) AS ?users) (COALESCE(SAMPLE(?l), STR(?item)) AS ?label) WHERE { '
     '?u a kl:Sentra ; kl:usesTechnology ?item . OPTIONAL { ?item skos:prefLabel ?l FILTER(LANGMATCHES(LANG(?l), "id")) } } GROUP BY ?item'),
    ("users per financing source or scheme", "financing-partners",
     "SELECT ?item (COUNT(DISTINCT ?u) AS ?users) WHERE { ?u a kl:Sentra ; (kl:financedBy|kl:usesFinancingScheme) ?item } GROUP BY ?item"),
    ("kabupaten/kota of every sentra through kl:within (partner region columns)", "partner questions",
     "SELECT ?s ?k WHERE { ?s a kl:Sentra ; kl:within ?k . ?k a kl:RegencyOrCity }"),
    ("units per kabupaten/kota, industry and year (LQ numerators)", "specialisation, oversupply-risk, unreached-specialised",
     "SELECT ?r ?i ?p (SUM(?n) AS ?x) WHERE { ?r a kl:RegencyOrCity . ?s kl:within ?r . "
     "?o a qb:Observation ; kl:refSentra ?s ; kl:refIndustry ?i ; kl:refPeriod ?p ; kl:unitCount ?n } GROUP BY ?r ?i ?p"),
    ("units per industry and year, nation (LQ denominators)", "specialisation, oversupply-risk, unreached-specialised",
     "SELECT ?i ?p (SUM(?n) AS ?x) WHERE { ?o a qb:Observation ; kl:refSentra ?s ; kl:refIndustry ?i ; kl:refPeriod ?p ; kl:unitCount ?n } GROUP BY ?i ?p"),
    ("every (sentra, kecamatan or kabupaten) pair for the kecamatan level", "specialisation level=kecamatan, oversupply-risk",
     "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?c { kl:RegencyOrCity kl:District } ?r a ?c . ?s kl:within ?r . ?s a kl:Sentra }"),
    ("label scan with LCASE + CONTAINS (one search)", "search",
     'SELECT ?r ?l WHERE { { ?r rdfs:label ?l } UNION { ?r skos:prefLabel ?l } FILTER(CONTAINS(LCASE(STR(?l)), "jati")) }'),
    ("interventions with their reached sentra", "interventions, unreached-specialised",
     "SELECT (COUNT(*) AS ?n) WHERE { ?i a kl:Intervention ; kl:reachedSentra ?s }"),
    ("labels held in the store (rdfs:label and skos:prefLabel)", "search, every label sub-select",
     "SELECT (COUNT(*) AS ?n) WHERE { { ?r rdfs:label ?l } UNION { ?r skos:prefLabel ?l } }"),
    ("kl:within triples (materialised containment)", "every region filter",
     "SELECT (COUNT(*) AS ?n) WHERE { ?a kl:within ?b }"),
)


def main(argv: list[str]) -> None:
    store = ox.Store.read_only(argv[0])
    print("| building block (evaluated over the whole store) | used by | rows | seconds |")
    print("|---|---|---:|---:|")
    for what, used_by, sparql in BLOCKS:
        started = time.perf_counter()
        result = store.query(P + sparql, use_default_graph_as_union=True)
        rows = list(result)
        seconds = time.perf_counter() - started
        shown = rows[0][0].value if len(rows) == 1 and rows[0][0] is not None and "COUNT" in sparql.split("WHERE")[0] else f"{len(rows):,}"
        if shown.isdigit():
            shown = f"{int(shown):,}"
        print(f"| {what} | {used_by} | {shown} | {seconds:,.1f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
