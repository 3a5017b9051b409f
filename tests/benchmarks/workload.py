"""The benchmark workload: realistic parameters for every canned question, sampled from the store,
and the most direct SPARQL formulation of each question for the other engines.

The direct formulations are what a user of a plain triple store (no reasoner, no precomputed
aggregates) would write for the same question: containment through ``kl:locatedIn/
kl:parentRegion*``, cooperation-area members through the membership resources, the same ranking
and the same first page (LIMIT) as the canned question. Parameters are written into the query text
as RDF terms (these are our own sampled values, never user input).
"""

from __future__ import annotations

import random
from string import Template

import pyoxigraph as ox

BASE = "https://w3id.org/klaster/id/"
PREFIXES = """PREFIX kl: <https://w3id.org/klaster/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

#: Region classes at kabupaten/kota level as stated by the reference data (no reasoner needed).
_KAB = "VALUES ?level_class { kl:Regency kl:City }"


def _rows(store, sparql: str) -> list[dict[str, str]]:
    result = store.query(PREFIXES + sparql)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


def sample_parameters(store, *, count: int = 20, seed: int = 7) -> dict[str, list[dict[str, str]]]:
    """``count`` parameter sets per question, drawn from what the store holds."""
    rng = random.Random(seed)
    sentra = [r["s"] for r in _rows(store, "SELECT ?s WHERE { ?s a kl:Sentra }")]
    sentra.sort()
    picked = rng.sample(sentra, min(len(sentra), count * 3))
    values = " ".join(f"<{s}>" for s in picked)
    where = {r["s"]: r for r in _rows(store, f"""
        SELECT ?s ?province ?kab ?name WHERE {{
          VALUES ?s {{ {values} }}
          ?s kl:locatedIn ?desa . ?desa rdfs:label ?name ; kl:parentRegion/kl:parentRegion ?kab .
          ?kab kl:parentRegion ?province }}""")}
    located = [s for s in picked if s in where]
    areas = [r["a"] for r in _rows(store, "SELECT ?a WHERE { ?a a kl:CooperationArea } ORDER BY ?a")]
    codes = sorted({r["code"] for r in _rows(store, """
        SELECT DISTINCT ?code WHERE { ?s a kl:Sentra ; kl:industryCode ?i . ?i skos:notation ?code }""")})
    years = sorted({int(r["y"]) for r in _rows(store, """
        SELECT DISTINCT ?y WHERE { ?o a qb:Observation ; kl:refPeriod ?y }""")})
    reached = sorted({r["s"] for r in _rows(store, """
        SELECT ?s WHERE { ?i a kl:Intervention ; kl:reachedSentra ?s } LIMIT 5000""")})
    words = sorted({where[s]["name"].split()[0].lower() for s in located})
    code = lambda iri: iri.rsplit("/", 1)[-1]  # noqa: E731 - region IRI → Kemendagri code

    out: dict[str, list[dict[str, str]]] = {}
    for name in ("technology-partners", "skill-partners", "financing-partners", "supply-partners"):
        sets = []
        for i, s in enumerate(located[:count]):
            params = {"sentra": s}
            if i % 3 == 1:
                params["province"] = code(where[s]["province"])
            sets.append(params)
        out[name] = sets
    out["linkages"] = [{"sentra": s} for s in located[:count]]
    out["corridor"] = [{"kawasan": areas[i % len(areas)]} for i in range(count)] if areas else []
    out["specialisation"] = [{"commodity": rng.choice(codes), "year": str(years[-1])}
                             for _ in range(count)]
    out["oversupply-risk"] = [
        ({"commodity": rng.choice(codes)} if i % 2 else {}) | {"from_year": str(years[0]),
                                                               "to_year": str(years[-1])}
        for i in range(count)]
    out["sentra-in-region"] = [{"region": code(where[s]["kab"] if i % 4 else where[s]["province"])}
                               for i, s in enumerate(located[:count])]
    out["interventions"] = [({"sentra": rng.choice(reached)} if i % 2 and reached
                             else {"region": code(where[s]["kab"])})
                            for i, s in enumerate(located[:count])]
    out["search"] = [{"q": words[i % len(words)]} for i in range(count)] if words else []
    out["unreached-specialised"] = [
        ({"region": code(where[s]["province"])} if i % 2 else {}) | {"year": str(years[-1])}
        for i, s in enumerate(located[:count])]
    return out


# -- direct formulations -----------------------------------------------------------------------

_PARTNERS = Template("""
SELECT ?partner ?label ?score ?shared WHERE {
  {
    SELECT ?partner (SUM(1.0 / ?users) AS ?score) (COUNT(?item) AS ?shared) WHERE {
      $sentra $path ?item .
      { SELECT ?item (COUNT(DISTINCT ?user) AS ?users) WHERE { ?user a kl:Sentra ; $path ?item } GROUP BY ?item }
      ?partner a kl:Sentra ; $path ?item .
      FILTER(?partner != $sentra)
      $filter
    }
    GROUP BY ?partner ORDER BY DESC(?score) ?partner LIMIT 20
  }
  OPTIONAL { ?partner rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "id")) }
}
ORDER BY DESC(?score) ?partner""")

_PATHS = {"technology-partners": "kl:usesTechnology", "skill-partners": "kl:needsSkill",
          "financing-partners": "(kl:financedBy|kl:usesFinancingScheme)"}

_SUPPLY = Template("""
SELECT ?direction ?partner ?label ?score WHERE {
  {
    SELECT ?direction ?partner (SUM(1.0 / ?users) AS ?score) WHERE {
      {
        $sentra kl:needsInput ?item . ?partner a kl:Sentra ; kl:produces ?item .
        BIND("supplies-what-X-needs" AS ?direction)
        { SELECT ?item (COUNT(DISTINCT ?m) AS ?users) WHERE { ?m a kl:Sentra ; kl:produces ?item } GROUP BY ?item }
      } UNION {
        $sentra kl:produces ?item . ?partner a kl:Sentra ; kl:needsInput ?item .
        BIND("needs-what-X-makes" AS ?direction)
        { SELECT ?item (COUNT(DISTINCT ?m) AS ?users) WHERE { ?m a kl:Sentra ; kl:needsInput ?item } GROUP BY ?item }
      } UNION {
        $sentra kl:produces ?item . ?partner a kl:Sentra ; kl:produces ?item .
        BIND("makes-the-same" AS ?direction)
        { SELECT ?item (COUNT(DISTINCT ?m) AS ?users) WHERE { ?m a kl:Sentra ; kl:produces ?item } GROUP BY ?item }
      }
      FILTER(?partner != $sentra)
      $filter
    }
    GROUP BY ?direction ?partner ORDER BY ?direction DESC(?score) ?partner LIMIT 20
  }
  OPTIONAL { ?partner rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "id")) }
}
ORDER BY ?direction DESC(?score) ?partner""")

_LINKAGES = Template("""
SELECT ?kind ?other (COUNT(DISTINCT ?item) AS ?shared) (SAMPLE(?l) AS ?linkage) WHERE {
  {
    { ?l kl:linkageSource $sentra ; kl:linkageTarget ?other } UNION { ?l kl:linkageTarget $sentra ; kl:linkageSource ?other }
    ?l a kl:Linkage ; kl:linkageKind ?kind .
    OPTIONAL { ?l kl:sharedItem ?item }
  } UNION {
    VALUES (?kind ?p) { (kl:TechnologyLinkage kl:usesTechnology) (kl:HumanResourceLinkage kl:needsSkill)
                        (kl:FinancingLinkage kl:financedBy) (kl:FinancingLinkage kl:usesFinancingScheme)
                        (kl:ProductLinkage kl:produces) }
    $sentra ?p ?item . ?other ?p ?item . ?other a kl:Sentra . FILTER(?other != $sentra)
  } UNION {
    $sentra kl:produces ?item . ?other kl:needsInput ?item . ?other a kl:Sentra . BIND(kl:ProductLinkage AS ?kind)
  } UNION {
    $sentra kl:needsInput ?item . ?other kl:produces ?item . ?other a kl:Sentra . BIND(kl:ProductLinkage AS ?kind)
  }
}
GROUP BY ?kind ?other ORDER BY ?kind DESC(?shared) ?other LIMIT 100""")

_CORRIDOR_KINDS = (("technology", "kl:usesTechnology", "kl:usesTechnology"),
                   ("skill", "kl:needsSkill", "kl:needsSkill"),
                   ("financing", "kl:financedBy", "kl:financedBy"),
                   ("financing", "kl:usesFinancingScheme", "kl:usesFinancingScheme"),
                   ("product", "kl:produces", "kl:produces"), ("product", "kl:produces", "kl:needsInput"),
                   ("product", "kl:needsInput", "kl:produces"))

_CORRIDOR = Template("""
SELECT ?sentra ?partner ?kind (COUNT(DISTINCT ?item) AS ?shared) WHERE {
""" + "\n  UNION\n".join(
    f"""  {{ ?m org:organization $$kawasan ; kl:memberRegion ?region . ?sentra kl:locatedIn/kl:parentRegion* ?region .
    ?sentra a kl:Sentra ; {p} ?item . ?partner {q} ?item . ?partner a kl:Sentra .
    ?m2 org:organization $$kawasan ; kl:memberRegion ?region2 . ?partner kl:locatedIn/kl:parentRegion* ?region2 .
    FILTER(?sentra != ?partner) BIND("{kind}" AS ?kind) }}""" for kind, p, q in _CORRIDOR_KINDS) + """
}
GROUP BY ?sentra ?partner ?kind ORDER BY ?sentra ?kind ?partner LIMIT 100""")

_LQ_TOTALS = """
  { SELECT (SUM(?n) AS ?x_R) (SUM(IF(?ind = $commodity, ?n, 0)) AS ?x_iR) WHERE {
      ?o a qb:Observation ; kl:refIndustry ?ind ; kl:refPeriod ?p ; kl:unitCount ?n .
      FILTER(STR(?p) = "$year") } }"""

_SPECIALISATION = Template("""
SELECT ?region ?x_ir ?x_r ?x_iR ?x_R ?lq WHERE {
  { SELECT ?region (SUM(?n) AS ?x_r) (SUM(IF(?ind = $commodity, ?n, 0)) AS ?x_ir) WHERE {
      ?o a qb:Observation ; kl:refSentra ?s ; kl:refIndustry ?ind ; kl:refPeriod ?p ; kl:unitCount ?n .
      FILTER(STR(?p) = "$year")
      ?s kl:locatedIn/kl:parentRegion* ?region . ?region a ?level_class . """ + _KAB + """
    } GROUP BY ?region }""" + _LQ_TOTALS + """
  BIND(IF(?x_r = 0 || ?x_iR = 0, 0, xsd:double(?x_ir * ?x_R) / (?x_r * ?x_iR)) AS ?lq)
}
ORDER BY DESC(?lq) ?region LIMIT 100""")

_OVERSUPPLY = Template("""
SELECT ?region ?industry ?units_from ?units_to ?growth ?lq WHERE {
  { SELECT ?region ?industry (SUM(IF(STR(?p) = "$from", ?n, 0)) AS ?units_from)
                             (SUM(IF(STR(?p) = "$to", ?n, 0)) AS ?units_to) WHERE {
      ?o a qb:Observation ; kl:refSentra ?s ; kl:refIndustry ?industry ; kl:refPeriod ?p ; kl:unitCount ?n .
      $commodity_filter
      ?s kl:locatedIn/kl:parentRegion* ?region . ?region a ?level_class . """ + _KAB + """
    } GROUP BY ?region ?industry }
  { SELECT ?region (SUM(?n) AS ?x_r) WHERE {
      ?o a qb:Observation ; kl:refSentra ?s ; kl:refPeriod ?p ; kl:unitCount ?n . FILTER(STR(?p) = "$to")
      ?s kl:locatedIn/kl:parentRegion* ?region . ?region a ?level_class . """ + _KAB + """
    } GROUP BY ?region }
  { SELECT ?industry (SUM(?n) AS ?x_iR) WHERE {
      ?o a qb:Observation ; kl:refIndustry ?industry ; kl:refPeriod ?p ; kl:unitCount ?n . FILTER(STR(?p) = "$to")
    } GROUP BY ?industry }
  { SELECT (SUM(?n) AS ?x_R) WHERE {
      ?o a qb:Observation ; kl:refPeriod ?p ; kl:unitCount ?n . FILTER(STR(?p) = "$to") } }
  FILTER((?units_from = 0 && ?units_to > 0) || (?units_from > 0 && ?units_to > 1.2 * ?units_from))
  FILTER(?units_to * ?x_R < ?x_r * ?x_iR)
  BIND(IF(?units_from = 0, -1, xsd:double(?units_to - ?units_from) / ?units_from) AS ?growth)
  BIND(IF(?x_r = 0 || ?x_iR = 0, 0, xsd:double(?units_to * ?x_R) / (?x_r * ?x_iR)) AS ?lq)
}
ORDER BY DESC(?growth) ?region ?industry LIMIT 100""")

_IN_REGION = Template("""
SELECT ?sentra ?label WHERE {
  ?sentra a kl:Sentra ; kl:locatedIn/kl:parentRegion* $region .
  OPTIONAL { ?sentra rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "id")) }
}
ORDER BY ?label ?sentra LIMIT 100""")

_INTERVENTIONS = Template("""
SELECT ?intervention ?sentra ?programme ?agency ?type ?year WHERE {
  ?intervention a kl:Intervention ; kl:reachedSentra ?sentra .
  $where
  OPTIONAL { ?intervention kl:underProgramme ?programme }
  OPTIONAL { ?intervention kl:deliveredBy ?agency }
  OPTIONAL { ?intervention kl:interventionType ?type }
  OPTIONAL { ?intervention kl:year ?year }
}
ORDER BY DESC(?year) ?sentra ?intervention LIMIT 100""")

_SEARCH = Template("""
SELECT ?resource ?label WHERE {
  { ?resource rdfs:label ?label } UNION { ?resource skos:prefLabel ?label }
  FILTER(CONTAINS(LCASE(STR(?label)), $q))
}
ORDER BY STRLEN(?label) ?label ?resource LIMIT 100""")

_UNREACHED = Template("""
SELECT ?sentra ?industry ?region ?lq WHERE {
  { SELECT ?region ?industry (SUM(?n) AS ?x_ir) WHERE {
      ?o a qb:Observation ; kl:refSentra ?s ; kl:refIndustry ?industry ; kl:refPeriod ?p ; kl:unitCount ?n .
      FILTER(STR(?p) = "$year")
      ?s kl:locatedIn/kl:parentRegion* ?region . ?region a ?level_class . """ + _KAB + """
    } GROUP BY ?region ?industry }
  { SELECT ?region (SUM(?n) AS ?x_r) WHERE {
      ?o a qb:Observation ; kl:refSentra ?s ; kl:refPeriod ?p ; kl:unitCount ?n . FILTER(STR(?p) = "$year")
      ?s kl:locatedIn/kl:parentRegion* ?region . ?region a ?level_class . """ + _KAB + """
    } GROUP BY ?region }
  { SELECT ?industry (SUM(?n) AS ?x_iR) WHERE {
      ?o a qb:Observation ; kl:refIndustry ?industry ; kl:refPeriod ?p ; kl:unitCount ?n . FILTER(STR(?p) = "$year")
    } GROUP BY ?industry }
  { SELECT (SUM(?n) AS ?x_R) WHERE {
      ?o a qb:Observation ; kl:refPeriod ?p ; kl:unitCount ?n . FILTER(STR(?p) = "$year") } }
  FILTER(?x_ir * ?x_R > ?x_r * ?x_iR)
  ?sentra a kl:Sentra ; kl:industryCode ?industry ; kl:locatedIn/kl:parentRegion* ?region .
  $region_filter
  FILTER NOT EXISTS { ?i kl:reachedSentra ?sentra }
  BIND(xsd:double(?x_ir * ?x_R) / (?x_r * ?x_iR) AS ?lq)
}
ORDER BY DESC(?lq) ?sentra LIMIT 100""")


def _iri(value: str) -> str:
    return f"<{value}>"


def _region(code: str) -> str:
    return _iri(code if code.startswith("http") else f"{BASE}wilayah/{code}")


def _kbli(code: str) -> str:
    return _iri(code if code.startswith("http") else f"{BASE}kbli/2020/{code}")


def _string(text: str) -> str:
    return str(ox.Literal(text))


def direct_query(name: str, params: dict[str, str]) -> str:
    """The most direct SPARQL formulation of question ``name`` with ``params`` written in."""
    p = params
    if name in _PATHS or name == "supply-partners":
        filters = []
        if "province" in p:
            filters.append(f"?partner kl:locatedIn/kl:parentRegion* {_region(p['province'])} .")
        if "kawasan" in p:
            filters.append(f"?mk org:organization {_iri(p['kawasan'])} ; kl:memberRegion ?mr . "
                           "?partner kl:locatedIn/kl:parentRegion* ?mr .")
        template = _SUPPLY if name == "supply-partners" else _PARTNERS
        body = template.substitute(sentra=_iri(p["sentra"]), path=_PATHS.get(name, ""),
                                   filter=" ".join(filters))
    elif name == "linkages":
        body = _LINKAGES.substitute(sentra=_iri(p["sentra"]))
    elif name == "corridor":
        body = _CORRIDOR.substitute(kawasan=_iri(p["kawasan"]))
    elif name == "specialisation":
        body = _SPECIALISATION.substitute(commodity=_kbli(p["commodity"]), year=p["year"])
    elif name == "oversupply-risk":
        commodity = f"FILTER(?industry = {_kbli(p['commodity'])})" if "commodity" in p else ""
        body = _OVERSUPPLY.substitute(commodity_filter=commodity, **{"from": p["from_year"], "to": p["to_year"]})
    elif name == "sentra-in-region":
        body = _IN_REGION.substitute(region=_region(p["region"]))
    elif name == "interventions":
        where = (f"FILTER(?sentra = {_iri(p['sentra'])})" if "sentra" in p
                 else f"?sentra kl:locatedIn/kl:parentRegion* {_region(p['region'])} .")
        body = _INTERVENTIONS.substitute(where=where)
    elif name == "search":
        body = _SEARCH.substitute(q=_string(p["q"].lower()))
    elif name == "unreached-specialised":
        region = (f"?sentra kl:locatedIn/kl:parentRegion* {_region(p['region'])} ."
                  if "region" in p else "")
        body = _UNREACHED.substitute(year=p["year"], region_filter=region)
    else:
        raise KeyError(f"no direct formulation for {name}")
    return PREFIXES + body
