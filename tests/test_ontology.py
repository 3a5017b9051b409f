"""The Klaster ontology: labels and comments, the binding vocabulary, OWL 2 DL, and HermiT.

The structural checks read ``ontology/klaster.ttl`` with rdflib. The reasoning checks convert it to
RDF/XML (owlready2 does not read Turtle), load it into a fresh owlready2 World and run HermiT, which
needs Java; they are skipped, saying so, only when no ``java`` is on the PATH. The OWL 2 DL profile
check runs the OWL API bundled in owlready2's HermiT.jar through Java's single-file source launcher,
which also needs the Java compiler (a JDK).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

from kg.resources import data_file

KL = Namespace("https://w3id.org/klaster/ontology#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
QB = Namespace("http://purl.org/linked-data/cube#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
VANN = Namespace("http://purl.org/vocab/vann/")
TEST = Namespace("https://example.org/klaster-test#")

ONTOLOGY_IRI = URIRef("https://w3id.org/klaster/ontology")
PP_7_2021 = URIRef("https://peraturan.bpk.go.id/Details/161837/pp-no-7-tahun-2021")

# The binding vocabulary (/tmp/klaster_spec.md, copied here): term -> OWL entity type.
C, OP, DP, NI = OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual
SPEC_TERMS: dict[str, URIRef] = {
    # regions
    "Region": C, "Province": C, "RegencyOrCity": C, "Regency": C, "City": C, "District": C,
    "VillageLevelRegion": C, "Village": C, "UrbanVillage": C, "CustomaryVillage": C,
    "kemendagriCode": DP, "codeVersion": OP, "parentRegion": OP, "hasSubRegion": OP, "within": OP,
    "population": DP, "areaKm2": DP, "LegalDocument": C,
    # cooperation areas
    "CooperationArea": C, "CooperationMembership": C, "memberRegion": OP, "membershipStatus": OP,
    "MembershipStatus": C, "StatedMembership": NI, "DisputedMembership": NI,
    "hasMemberRegion": OP, "memberOfArea": OP,
    # sentra, klaster, enterprises
    "EnterpriseGrouping": C, "Sentra": C, "Klaster": C, "includesSentra": OP, "locatedIn": OP,
    "produces": OP, "needsInput": OP, "usesTechnology": OP, "needsSkill": OP, "financedBy": OP,
    "usesFinancingScheme": OP, "industryCode": OP,
    "Enterprise": C, "memberOfSentra": OP, "startupCapital": DP, "annualSales": DP,
    "MicroEnterprise": C, "SmallEnterprise": C, "MediumEnterprise": C,
    "MicroByCapital": C, "SmallByCapital": C, "MediumByCapital": C,
    "MicroBySales": C, "SmallBySales": C, "MediumBySales": C,
    # concepts
    "Product": C, "Technology": C, "Skill": C, "FinancingSource": C, "FinancingScheme": C,
    "IndustryClass": C, "classificationVersion": DP, "classifiedAs": OP,
    "LinkageKind": C, "ProductLinkage": NI, "HumanResourceLinkage": NI, "TechnologyLinkage": NI,
    "FinancingLinkage": NI, "LinkageKindScheme": NI,
    "LinkageStatus": C, "Observed": NI, "Proposed": NI, "Inferred": NI, "Illustrative": NI,
    "LinkageStatusScheme": NI,
    "InterventionType": C, "Coaching": NI, "Training": NI, "EquipmentAid": NI,
    "FinancingFacilitation": NI, "MarketFacilitation": NI,
    # linkages
    "Linkage": C, "linkageSource": OP, "linkageTarget": OP, "linkageKind": OP, "linkageStatus": OP,
    "directed": DP, "sharedItem": OP, "evidenceStrength": DP, "evidenceNote": DP,
    "linkedWith": OP, "suppliesTo": OP, "suppliedBy": OP, "sharesTechnologyWith": OP,
    "sharesSkillsWith": OP, "sharesFinancingWith": OP,
    # agencies and interventions
    "Agency": C, "Programme": C, "Intervention": C, "deliveredBy": OP, "reachedSentra": OP,
    "underProgramme": OP, "interventionType": OP, "year": DP,
    # statistics and provenance
    "SentraStatisticsStructure": NI, "refSentra": OP, "refArea": OP, "refPeriod": DP,
    "refIndustry": OP, "unitCount": DP, "workerCount": DP, "outputValue": DP, "isIllustrative": DP,
}

# (concept class, scheme, members) for the closed code lists the ontology ships.
CODE_LISTS = [
    (KL.LinkageKind, KL.LinkageKindScheme,
     ["ProductLinkage", "HumanResourceLinkage", "TechnologyLinkage", "FinancingLinkage"]),
    (KL.LinkageStatus, KL.LinkageStatusScheme,
     ["Observed", "Proposed", "Inferred", "Illustrative"]),
    (KL.MembershipStatus, KL.MembershipStatusScheme, ["StatedMembership", "DisputedMembership"]),
    (KL.InterventionType, KL.InterventionTypeScheme,
     ["Coaching", "Training", "EquipmentAid", "FinancingFacilitation", "MarketFacilitation"]),
]

# Required alignments and characteristics: (subject, predicate, object) triples.
REQUIRED_AXIOMS = [
    (KL.Region, RDFS.subClassOf, GEO.Feature),
    (KL.EnterpriseGrouping, RDFS.subClassOf, GEO.Feature),
    (KL.within, RDFS.subPropertyOf, GEO.sfWithin),
    (KL.within, RDF.type, OWL.TransitiveProperty),
    (KL.parentRegion, RDF.type, OWL.FunctionalProperty),
    (KL.parentRegion, RDFS.subPropertyOf, KL.within),
    (KL.locatedIn, RDFS.subPropertyOf, KL.within),
    (KL.hasSubRegion, OWL.inverseOf, KL.parentRegion),
    (KL.memberOfArea, OWL.inverseOf, KL.hasMemberRegion),
    (KL.suppliedBy, OWL.inverseOf, KL.suppliesTo),
    (KL.linkedWith, RDF.type, OWL.SymmetricProperty),
    (KL.sharesTechnologyWith, RDF.type, OWL.SymmetricProperty),
    (KL.sharesSkillsWith, RDF.type, OWL.SymmetricProperty),
    (KL.sharesFinancingWith, RDF.type, OWL.SymmetricProperty),
    (KL.CooperationArea, RDFS.subClassOf, ORG.OrganizationalCollaboration),
    (KL.CooperationMembership, RDFS.subClassOf, ORG.Membership),
    (KL.Agency, RDFS.subClassOf, ORG.Organization),
    (KL.Enterprise, RDFS.subClassOf, ORG.FormalOrganization),
    (KL.LegalDocument, RDFS.subClassOf, DCTERMS.BibliographicResource),
    (KL.Intervention, RDFS.subClassOf, PROV.Activity),
    (KL.Programme, RDFS.subClassOf, PROV.Plan),
    (KL.Linkage, RDFS.subClassOf, PROV.Entity),
    (KL.deliveredBy, RDFS.subPropertyOf, PROV.wasAssociatedWith),
    (KL.startupCapital, RDF.type, OWL.FunctionalProperty),
    (KL.startupCapital, RDFS.range, XSD.decimal),
    (KL.annualSales, RDF.type, OWL.FunctionalProperty),
    (KL.annualSales, RDFS.range, XSD.decimal),
    (KL.SentraStatisticsStructure, RDF.type, QB.DataStructureDefinition),
    *[(KL[d], RDF.type, QB.DimensionProperty)
      for d in ("refSentra", "refArea", "refPeriod", "refIndustry")],
    *[(KL[m], RDF.type, QB.MeasureProperty) for m in ("unitCount", "workerCount", "outputValue")],
    *[(KL[c], RDFS.subClassOf, SKOS.Concept)
      for c in ("Product", "Technology", "Skill", "FinancingSource", "FinancingScheme",
                "IndustryClass", "LinkageKind", "LinkageStatus", "MembershipStatus",
                "InterventionType")],
]


def ontology_name(term: URIRef) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(data_file("ontology", "klaster.ttl"), format="turtle")


def _kl_terms(graph: Graph, *types: URIRef) -> set[URIRef]:
    return {s for t in types for s in graph.subjects(RDF.type, t)
            if isinstance(s, URIRef) and str(s).startswith(str(KL))}


def _languages(graph: Graph, subject: URIRef, predicate: URIRef) -> set[str | None]:
    return {o.language for o in graph.objects(subject, predicate) if isinstance(o, Literal)}


# --- structure (rdflib) --------------------------------------------------------------------------

def test_header_declares_version_licence_and_namespace(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/0.1.0")
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/")
    assert {"id", "en"} <= _languages(ontology, ONTOLOGY_IRI, DCTERMS.title)
    assert {"id", "en"} <= _languages(ontology, ONTOLOGY_IRI, DCTERMS.description)
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.creator) is not None
    assert str(ontology.value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix)) == "kl"
    assert str(ontology.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri)) == str(KL)


def test_every_class_and_property_has_labels_in_both_languages_and_a_comment(
        ontology: Graph) -> None:
    terms = _kl_terms(ontology, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    assert len(terms) > 80
    offenders = []
    for term in sorted(terms):
        missing = [what for what, ok in (
            ("rdfs:label@id", "id" in _languages(ontology, term, RDFS.label)),
            ("rdfs:label@en", "en" in _languages(ontology, term, RDFS.label)),
            ("rdfs:comment@en", "en" in _languages(ontology, term, RDFS.comment)),
        ) if not ok]
        if missing:
            offenders.append(f"{term.removeprefix(str(KL))}: {', '.join(missing)}")
    assert not offenders, "terms lacking labels or comments:\n" + "\n".join(offenders)


def test_every_spec_term_is_declared_with_its_entity_type(ontology: Graph) -> None:
    wrong = [f"kl:{name} (expected {kind.removeprefix(str(OWL))})"
             for name, kind in SPEC_TERMS.items() if (KL[name], RDF.type, kind) not in ontology]
    assert not wrong, "spec terms missing or wrongly typed:\n" + "\n".join(wrong)


def test_no_kl_term_is_used_without_a_declaration(ontology: Graph) -> None:
    used = {t for triple in ontology for t in triple
            if isinstance(t, URIRef) and str(t).startswith(str(KL))}
    undeclared = sorted(t for t in used if ontology.value(t, RDF.type) is None)
    assert not undeclared, f"kl: IRIs used but never declared (typos?): {undeclared}"


@pytest.mark.parametrize("triple", REQUIRED_AXIOMS,
                         ids=lambda t: " ".join(ontology_name(x) for x in t))
def test_required_alignment_or_characteristic(ontology: Graph, triple: tuple) -> None:
    assert triple in ontology


def test_statistics_structure_lists_all_dimensions_and_measures(ontology: Graph) -> None:
    components = list(ontology.objects(KL.SentraStatisticsStructure, QB.component))
    dimensions = {ontology.value(c, QB.dimension) for c in components} - {None}
    measures = {ontology.value(c, QB.measure) for c in components} - {None}
    assert dimensions == {KL.refSentra, KL.refArea, KL.refPeriod, KL.refIndustry}
    assert measures == {KL.unitCount, KL.workerCount, KL.outputValue}


@pytest.mark.parametrize("concept_class, scheme, members", CODE_LISTS,
                         ids=[ontology_name(c) for c, _, _ in CODE_LISTS])
def test_code_list_concepts_are_labelled_and_in_their_scheme(
        ontology: Graph, concept_class: URIRef, scheme: URIRef, members: list[str]) -> None:
    assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology
    assert set(ontology.subjects(RDF.type, concept_class)) == {KL[m] for m in members}
    for member in members:
        concept = KL[member]
        assert (concept, SKOS.inScheme, scheme) in ontology, member
        assert {"id", "en"} <= _languages(ontology, concept, SKOS.prefLabel), member


def test_region_levels_are_pairwise_disjoint(ontology: Graph) -> None:
    groups = [frozenset(Collection(ontology, ontology.value(axiom, OWL.members)))
              for axiom in ontology.subjects(RDF.type, OWL.AllDisjointClasses)]
    assert frozenset({KL.Province, KL.RegencyOrCity, KL.District, KL.VillageLevelRegion}) in groups
    assert frozenset({KL.Village, KL.UrbanVillage, KL.CustomaryVillage}) in groups
    assert (KL.Regency, OWL.disjointWith, KL.City) in ontology


def test_size_classes_cite_pp_7_2021(ontology: Graph) -> None:
    for name in ("MicroEnterprise", "SmallEnterprise", "MediumEnterprise", "MicroByCapital",
                 "SmallByCapital", "MediumByCapital", "MicroBySales", "SmallBySales",
                 "MediumBySales"):
        assert (KL[name], DCTERMS.source, PP_7_2021) in ontology, name
        assert any("PP No. 7 Tahun 2021" in c for c in ontology.objects(KL[name], RDFS.comment))
    assert any("PP No. 29 Tahun 2018" in c for c in ontology.objects(KL.Sentra, RDFS.comment))


# --- reasoning (owlready2 + HermiT, Java) ---------------------------------------------------------

JAVA = shutil.which("java")
needs_java = pytest.mark.skipif(JAVA is None, reason="no `java` on PATH: HermiT (owlready2) needs "
                                                     "a Java runtime (CI installs Java 17)")


def _hermit_jar() -> Path:
    import owlready2

    return Path(os.path.dirname(owlready2.__file__)) / "hermit" / "HermiT.jar"


def _reason(graph: Graph, tmp_path: Path):
    """Load ``graph`` into a fresh owlready2 World, run HermiT and return the World."""
    import owlready2

    path = tmp_path / "klaster.owl"
    graph.serialize(destination=path, format="xml")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load()
    owlready2.sync_reasoner(world, infer_property_values=False, debug=0)
    return world


def _with_enterprise(graph: Graph, name: str, *, capital: str | None = None,
                     sales: str | None = None) -> URIRef:
    enterprise = TEST[name]
    graph.add((enterprise, RDF.type, OWL.NamedIndividual))
    graph.add((enterprise, RDF.type, KL.Enterprise))
    if capital is not None:
        graph.add((enterprise, KL.startupCapital, Literal(Decimal(capital))))
    if sales is not None:
        graph.add((enterprise, KL.annualSales, Literal(Decimal(sales))))
    return enterprise


# name -> (capital, sales, expected size classes); every other size class must NOT be inferred.
ENTERPRISES = {
    "capital-500-million": ("500000000", None, {"MicroEnterprise"}),
    "capital-exactly-1-billion": ("1000000000", None, {"MicroEnterprise"}),
    "capital-just-over-1-billion": ("1000000000.01", None, {"SmallEnterprise"}),
    "capital-3-billion": ("3000000000", None, {"SmallEnterprise"}),
    "capital-exactly-5-billion": ("5000000000", None, {"SmallEnterprise"}),
    "capital-8-billion": ("8000000000", None, {"MediumEnterprise"}),
    "capital-11-billion": ("11000000000", None, set()),
    "sales-exactly-2-billion": (None, "2000000000", {"MicroEnterprise"}),
    "sales-20-billion": (None, "20000000000", {"MediumEnterprise"}),
    "sales-60-billion": (None, "60000000000", set()),
    # The criteria are alternatives (Pasal 35 ayat 3 and 5): both classes follow, by design.
    "micro-capital-medium-sales": ("500000000", "20000000000",
                                   {"MicroEnterprise", "MediumEnterprise"}),
    "no-figures": (None, None, set()),
}
SIZE_CLASSES = {"MicroEnterprise", "SmallEnterprise", "MediumEnterprise"}


@pytest.fixture(scope="module")
def classified(ontology: Graph, tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    if JAVA is None:
        pytest.skip("no `java` on PATH: HermiT needs a Java runtime")
    graph = Graph() + ontology  # a copy: the module fixture stays untouched
    for name, (capital, sales, _) in ENTERPRISES.items():
        _with_enterprise(graph, name, capital=capital, sales=sales)
    world = _reason(graph, tmp_path_factory.mktemp("hermit"))
    result = {}
    for name in ENTERPRISES:
        individual = world[str(TEST[name])]
        result[name] = {c.iri.removeprefix(str(KL)) for c in individual.INDIRECT_is_a
                        if hasattr(c, "iri") and c.iri.startswith(str(KL))}
    return result


@needs_java
def test_hermit_finds_the_ontology_consistent(ontology: Graph, tmp_path: Path) -> None:
    world = _reason(ontology, tmp_path)  # raises OwlReadyInconsistentOntologyError if not
    unsatisfiable = [c.iri for c in world.inconsistent_classes()]
    assert not unsatisfiable, f"unsatisfiable classes: {unsatisfiable}"
    assert world[str(KL.MicroEnterprise)] is not None
    assert issubclass(world[str(KL.Regency)], world[str(KL.Region)])


@needs_java
@pytest.mark.parametrize("name", list(ENTERPRISES))
def test_hermit_classifies_enterprise_size_from_figures(
        classified: dict[str, set[str]], name: str) -> None:
    expected = ENTERPRISES[name][2]
    assert "Enterprise" in classified[name]
    assert classified[name] & SIZE_CLASSES == expected, classified[name]


@needs_java
@pytest.mark.parametrize("case", ["province-and-district", "two-capitals", "kota-with-parent-kota"])
def test_hermit_rejects_contradictions(ontology: Graph, tmp_path: Path, case: str) -> None:
    import owlready2

    graph = Graph() + ontology
    thing = TEST[case]
    graph.add((thing, RDF.type, OWL.NamedIndividual))
    if case == "province-and-district":  # the region levels are disjoint
        graph.add((thing, RDF.type, KL.Province))
        graph.add((thing, RDF.type, KL.District))
    elif case == "two-capitals":  # kl:startupCapital is functional
        _with_enterprise(graph, case, capital="1")
        graph.add((thing, KL.startupCapital, Literal(Decimal("2"))))
    else:  # a kabupaten/kota's parent must be a province; a kota is not one
        parent = TEST["parent-kota"]
        graph.add((parent, RDF.type, OWL.NamedIndividual))
        graph.add((parent, RDF.type, KL.City))
        graph.add((thing, RDF.type, KL.City))
        graph.add((thing, KL.parentRegion, parent))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _reason(graph, tmp_path)


DL_CHECK_JAVA = """
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class DLCheck {
    public static void main(String[] args) throws Exception {
        OWLOntology o = OWLManager.createOWLOntologyManager()
            .loadOntologyFromOntologyDocument(new File(args[0]));
        OWLProfileReport report = new OWL2DLProfile().checkOntology(o);
        for (OWLProfileViolation v : report.getViolations()) System.out.println("VIOLATION " + v);
        System.out.println("AXIOMS " + o.getAxiomCount());
    }
}
"""


@pytest.mark.skipif(shutil.which("javac") is None,
                    reason="the OWL 2 DL profile check compiles a Java source file: needs a JDK")
def test_ontology_is_in_the_owl2_dl_profile(ontology: Graph, tmp_path: Path) -> None:
    source = tmp_path / "DLCheck.java"
    source.write_text(DL_CHECK_JAVA)
    document = tmp_path / "klaster.owl"
    ontology.serialize(destination=document, format="xml")
    run = subprocess.run([JAVA or "java", "-cp", str(_hermit_jar()), str(source), str(document)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    violations = [line for line in run.stdout.splitlines() if line.startswith("VIOLATION")]
    assert not violations, "OWL 2 DL profile violations:\n" + "\n".join(violations)
    axioms = int(run.stdout.split("AXIOMS ")[1].split()[0])
    assert axioms > 500  # the whole ontology was read, not an empty document
