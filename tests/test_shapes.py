"""The SHACL shapes: well-formed (SHACL-SHACL), bilingual, and compiled faithfully into SPARQL."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF, SH

from kg import shacl
from kg.validate import compiled_checks, read_submission, shapes_graph, validation_data
from validation_helpers import BASE, CORPUS, corpus_store

SHSH = Path(__file__).resolve().parent / "shsh.ttl"  # the SHACL spec's appendix, as pySHACL ships it
CONSTRAINT_PARAMETERS = {SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.pattern, SH.nodeKind,
                         SH["in"], SH["or"], SH["not"], SH.node, SH.minInclusive, SH.maxInclusive,
                         SH.disjoint, SH.hasValue, SH.sparql}


def test_shapes_conform_to_shacl_shacl():
    import pyshacl

    shsh = rdflib.Graph().parse(SHSH, format="turtle")
    conforms, _, text = pyshacl.validate(shapes_graph(), shacl_graph=shsh, inference="none")
    assert conforms, text


def _constrained_shapes(graph: rdflib.Graph):
    """Named shapes that state a constraint directly (not only through sh:property)."""
    for shape in set(graph.subjects(RDF.type, SH.PropertyShape)) | set(graph.subjects(RDF.type, SH.NodeShape)):
        if isinstance(shape, rdflib.URIRef) and any(
                (shape, p, None) in graph for p in CONSTRAINT_PARAMETERS):
            yield shape


def test_every_constraint_has_a_severity_and_messages_in_indonesian_and_english():
    graph = shapes_graph()
    shapes = list(_constrained_shapes(graph))
    assert len(shapes) > 40
    for shape in shapes:
        if shape.endswith("#SentraExists"):
            continue  # used only through sh:node by property shapes that carry the messages
        holders = [shape] + list(graph.objects(shape, SH.sparql))
        languages = {m.language for h in holders for m in graph.objects(h, SH.message)}
        assert {"id", "en"} <= languages, shape
        assert graph.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info), shape


def test_warnings_advise_as_the_issue_asks():
    graph = shapes_graph()
    warnings = {str(s).rsplit("#", 1)[1] for s in graph.subjects(SH.severity, SH.Warning)}
    assert {"UnitCountJump", "SentraMinimumUnits", "LatitudeInIndonesia", "LongitudeInIndonesia"} <= warnings


def test_every_shape_compiles():
    checks = compiled_checks()
    assert len(checks) > 60
    assert all(c.severity in ("violation", "warning", "info") and c.messages for c in checks)


def test_an_unsupported_feature_fails_loudly():
    graph = rdflib.Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ;
            sh:property [ sh:path <urn:p> ; sh:uniqueLang true ] .""", format="turtle")
    with pytest.raises(shacl.ShapeCompileError, match="uniqueLang"):
        shacl.compile_shapes(graph)


READABLE = sorted(p for p in CORPUS.iterdir() if (CORPUS / (p.name + ".expected.json")).exists()
                  and '"error"' not in (CORPUS / (p.name + ".expected.json")).read_text())


@pytest.fixture(scope="module")
def store():
    return corpus_store()


@pytest.mark.filterwarnings("ignore:Parsing weird boolean")
@pytest.mark.parametrize("path", READABLE, ids=[p.name for p in READABLE])
def test_compiled_checks_agree_with_pyshacl(store, path):
    """pySHACL is the reference: both engines give the same (focus, shape, component) results."""
    import pyshacl

    from kg.validate import data_graph

    submission = read_submission(path.read_bytes(), filename=path.name, base_iri=BASE)
    triples = validation_data(store, submission, base_iri=BASE)
    work = ox.Store()
    work.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    ours = Counter((r.focus.value, r.check.shape, r.check.component)
                   for r in shacl.run_checks(work, compiled_checks()))
    _, results, _ = pyshacl.validate(data_graph(triples), shacl_graph=shapes_graph(),
                                     inference="none", advanced=True, allow_warnings=True)
    theirs = Counter()
    for result in results.objects(None, SH.result):  # not the nested sh:detail results
        theirs[(str(results.value(result, SH.focusNode)), str(results.value(result, SH.sourceShape)),
                str(results.value(result, SH.sourceConstraintComponent)))] += 1
    assert set(ours) == set(theirs)
