"""Loading canned questions: broken files fail loudly, naming file and problem; values are typed."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import BadRequest, KlasterError
from kg.params import Param, normalise, to_term
from kg.questions import QuestionDefinitionError, load_questions, parse_question, term_value

BASE = "https://w3id.org/klaster/id/"

GOOD_HEADER = """\
#+ summary: A test question
#+ description:
#+   id: Pertanyaan uji.
#+   en: A test question.
#+ tags: [test]
#+ params:
#+   - {name: sentra, type: iri, required: true, example: "id:sentra/wedoro", description: the sentra}
"""
GOOD_QUERY = "PREFIX kl: <https://w3id.org/klaster/ontology#>\nSELECT ?sentra ?p WHERE { ?sentra kl:produces ?p }\n"


def write(tmp_path: Path, text: str, name: str = "broken.rq") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads(tmp_path: Path) -> None:
    question = parse_question(write(tmp_path, GOOD_HEADER + GOOD_QUERY, "good.rq"), base_iri=BASE)
    assert question.name == "good" and question.summary == "A test question"
    assert question.description_id == "Pertanyaan uji." and question.tags == ("test",)
    assert question.params[0].type == "iri" and question.params[0].required
    assert "#+" not in question.sparql and not question.ordered


BROKEN = {
    "no header": (GOOD_QUERY, "missing '#+ ' YAML header"),
    "bad yaml": ("#+ summary: [unclosed\n#+ description: {id: a, en: b}\n" + GOOD_QUERY, "not valid YAML"),
    "unknown key": (GOOD_HEADER + "#+ colour: red\n" + GOOD_QUERY, "unknown header key(s) colour"),
    "unknown type": (GOOD_HEADER.replace("type: iri", "type: uri") + GOOD_QUERY, "unknown type 'uri'"),
    "param unused": (GOOD_HEADER + GOOD_QUERY.replace("?sentra", "?s"), "never uses ?sentra"),
    "param not projected": (GOOD_HEADER + GOOD_QUERY.replace("SELECT ?sentra ?p", "SELECT ?p"),
                            "projection"),
    "bad sparql": (GOOD_HEADER + "SELECT ?sentra WHERE { ?sentra ?p }\n", "not valid SPARQL"),
    "ask query": (GOOD_HEADER + "ASK { ?sentra ?p ?o }\n", "must be a SELECT query"),
    "no english": (GOOD_HEADER.replace("#+   en: A test question.\n", "") + GOOD_QUERY, "description.en"),
    "no summary": (GOOD_HEADER.replace("#+ summary: A test question\n", "") + GOOD_QUERY, "summary"),
    "no example": (GOOD_HEADER.replace(', example: "id:sentra/wedoro"', "") + GOOD_QUERY, "needs an example"),
    "bad default": (GOOD_HEADER + "#+   - {name: n, type: integer, default: many, example: 1, description: d}\n"
                    + GOOD_QUERY.replace("SELECT ?sentra", "SELECT ?n ?sentra"), "default 'many' is invalid"),
    "bad example": (GOOD_HEADER.replace('example: "id:sentra/wedoro"', 'example: "not an iri"') + GOOD_QUERY,
                    "example 'not an iri' is invalid"),
    "enum without values": (GOOD_HEADER + "#+   - {name: level, type: enum, example: a, description: d}\n"
                            + GOOD_QUERY.replace("SELECT ?sentra", "SELECT ?level ?sentra"),
                            "needs an enum list"),
    "required with default": (GOOD_HEADER.replace("required: true,", "required: true, default: id:x,")
                              + GOOD_QUERY, "cannot have a default"),
    "unknown param key": (GOOD_HEADER.replace("description: the sentra}", "description: the sentra, colour: red}")
                          + GOOD_QUERY, "unknown key(s) colour"),
    "params not a list": (GOOD_HEADER.split("#+ params:")[0] + "#+ params: {sentra: iri}\n" + GOOD_QUERY,
                          "params must be a list"),
    "bad values_query": (GOOD_HEADER.replace("description: the sentra}",
                                             "description: the sentra, values_query: 'SELECT WHERE'}")
                         + GOOD_QUERY, "values_query is not valid SPARQL"),
    "one_of unknown": (GOOD_HEADER + "#+ require_one_of: [sentra, region]\n" + GOOD_QUERY,
                       "require_one_of must list declared parameters"),
    "if-given unknown": (GOOD_HEADER + GOOD_QUERY.replace(
        "{ ?sentra kl:produces ?p }", "{\n  ?sentra kl:produces ?p .  # klaster:if-given product\n}"),
        "'# klaster:if-given product' names no declared parameter"),
    "if-given breaks the query": (GOOD_HEADER + GOOD_QUERY.replace(
        "{ ?sentra kl:produces ?p }", "{ ?sentra kl:produces ?p  # klaster:if-given sentra\n}"),
        "the query without its '# klaster:if-given' lines"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_files_fail_loudly(tmp_path: Path, case: str) -> None:
    text, problem = BROKEN[case]
    with pytest.raises(QuestionDefinitionError) as info:
        parse_question(write(tmp_path, text), base_iri=BASE)
    assert "broken.rq" in info.value.detail
    assert problem in info.value.detail
    assert isinstance(info.value, KlasterError) and info.value.status == 500


def test_one_broken_file_stops_the_whole_load(tmp_path: Path) -> None:
    write(tmp_path, GOOD_HEADER + GOOD_QUERY, "good.rq")
    write(tmp_path, GOOD_HEADER.replace("type: iri", "type: colour") + GOOD_QUERY, "zz-bad.rq")
    with pytest.raises(QuestionDefinitionError, match="zz-bad.rq"):
        load_questions(tmp_path, base_iri=BASE)


def test_bad_file_name_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(QuestionDefinitionError, match="file name"):
        parse_question(write(tmp_path, GOOD_HEADER + GOOD_QUERY, "Bad Name.rq"), base_iri=BASE)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(QuestionDefinitionError, match="no canned questions"):
        load_questions(empty, base_iri=BASE)


def test_the_shipped_questions_load_with_another_base(tmp_path: Path) -> None:
    questions = load_questions(base_iri="https://example.org/kl/")
    assert len(questions) >= 11
    for q in questions.values():
        assert q.description_id and q.description_en and q.summary
        assert all(p.description and p.example is not None for p in q.params)


# -- parameter types -------------------------------------------------------------------------------

def p(kind: str, **kw) -> Param:
    return Param("x", kind, "test", **kw)


@pytest.mark.parametrize(("kind", "raw", "value"), [
    ("iri", "https://example.org/a", "https://example.org/a"),
    ("iri", "id:sentra/wedoro", BASE + "sentra/wedoro"),
    ("iri", "sentra/wedoro", BASE + "sentra/wedoro"),
    ("iri", "urn:isbn:123", "urn:isbn:123"),
    ("region", "35", BASE + "wilayah/35"),
    ("region", "35.15.18.2013", BASE + "wilayah/35.15.18.2013"),
    ("region", "id:wilayah/35.15", BASE + "wilayah/35.15"),
    ("kbli", "15201", BASE + "kbli/2020/15201"),
    ("kbli", BASE + "kbli/2020/15201", BASE + "kbli/2020/15201"),
    ("integer", " 42 ", 42),
    ("decimal", "0.25", Decimal("0.25")),
    ("decimal", "1", Decimal("1")),
    ("boolean", "ya", True),
    ("boolean", "false", False),
    ("code", "35.15", "35.15"),
    ("string", "Sepatu Wedoro", "Sepatu Wedoro"),
])
def test_values_are_typed(kind: str, raw: str, value: object) -> None:
    assert normalise(p(kind), raw, BASE) == value


@pytest.mark.parametrize(("kind", "raw"), [
    ("iri", "not an iri"), ("iri", "http://x/a b"), ("iri", "http://x/<a>"), ("iri", "ftp://x"),
    ("iri", 'http://x/"'), ("region", "35.1"), ("region", "355"), ("region", "35.15.18.201"),
    ("kbli", "1520"), ("kbli", "152011"), ("integer", "1.5"), ("integer", "1e3"),
    ("integer", "9" * 30), ("decimal", "1e3"), ("decimal", "NaN"), ("decimal", "inf"),
    ("boolean", "maybe"), ("code", "a b"), ("code", "x;y"), ("string", "two\nlines"),
    ("string", "nul\x00"), ("string", ""), ("string", "x" * 5000),
])
def test_bad_values_are_rejected(kind: str, raw: str) -> None:
    with pytest.raises(BadRequest) as info:
        normalise(p(kind), raw, BASE)
    assert info.value.extra["parameter"] == "x"


def test_bounds_enum_and_lengths() -> None:
    with pytest.raises(BadRequest, match="at least 1"):
        normalise(p("integer", minimum=1), "0", BASE)
    with pytest.raises(BadRequest, match="at most 2"):
        normalise(p("decimal", maximum=2), "2.5", BASE)
    with pytest.raises(BadRequest, match="one of a, b"):
        normalise(p("enum", enum=("a", "b")), "c", BASE)
    with pytest.raises(BadRequest, match="at least 2 characters"):
        normalise(p("string", min_length=2), "x", BASE)


def test_terms() -> None:
    assert to_term(p("kbli"), BASE + "kbli/2020/15201") == ox.NamedNode(BASE + "kbli/2020/15201")
    assert to_term(p("integer"), 3) == ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert to_term(p("decimal"), Decimal("0.2")).datatype.value.endswith("#decimal")
    assert to_term(p("string"), '"} DROP ALL {"') == ox.Literal('"} DROP ALL {"')


PAGED_QUERY = """PREFIX kl: <https://w3id.org/klaster/ontology#>
SELECT ?sentra ?p ?n WHERE {
  { SELECT ?p WHERE { ?sentra kl:produces ?p } ORDER BY ?p LIMIT 2  # klaster:page
  }
  BIND(STRLEN(STR(?p)) AS ?n)
}
ORDER BY ?p
"""


def test_a_page_cut_stops_the_ranking_sub_select_at_the_end_of_the_page(tmp_path: Path) -> None:
    from kg.questions import run_question
    from kg.store import EmbeddedStore

    question = parse_question(write(tmp_path, GOOD_HEADER + PAGED_QUERY, "paged.rq"), base_iri=BASE)
    uncut = parse_question(write(tmp_path, GOOD_HEADER + PAGED_QUERY.replace(
        "LIMIT 2  # klaster:page", ""), "uncut.rq"), base_iri=BASE)
    assert question.page_cut and not uncut.page_cut
    assert "LIMIT 7  # klaster:page" in question.sparql_for_page(7)
    store = EmbeddedStore()
    sentra = f"{BASE}sentra/wedoro"
    store.update("INSERT DATA { " + " ".join(
        f"<{sentra}> <https://w3id.org/klaster/ontology#produces> <{BASE}product/p{i:02d}> ."
        for i in range(12)) + " }")
    for offset, limit in ((0, 5), (5, 5), (10, 5), (3, 1)):
        params = {"sentra": sentra, "offset": str(offset), "limit": str(limit)}
        cut = run_question(store, question, params, base_iri=BASE)
        whole = run_question(store, uncut, params, base_iri=BASE)
        assert cut.rows == whole.rows and cut.truncated == whole.truncated
        assert f"LIMIT {offset + limit + 1}" in cut.sparql  # the text shown is the text run
    assert [r[0] for r in cut.rows] == [f"{BASE}product/p03"]


UNITS_QUERY = """PREFIX kl: <https://w3id.org/klaster/ontology#>
SELECT ?sentra ?unit ?p WHERE {
  { SELECT ?sentra ?unit WHERE { ?sentra kl:hasMember ?unit } ORDER BY ?unit LIMIT 3  # klaster:page-units
  }
  OPTIONAL { ?unit kl:produces ?p }
}
ORDER BY ?unit ?p
"""


def units_store(store):
    """``store`` with sentra Wedoro's units u1…u6, which produce 3, 0, 5, 1, 0 and 2 products."""
    kl, sentra = "https://w3id.org/klaster/ontology#", f"{BASE}sentra/wedoro"
    triples = []
    for u, products in enumerate((3, 0, 5, 1, 0, 2), start=1):
        triples.append(f"<{sentra}> <{kl}hasMember> <{BASE}unit/u{u}> .")
        triples += [f"<{BASE}unit/u{u}> <{kl}produces> <{BASE}product/p{u}{i}> ." for i in range(products)]
    store.update("INSERT DATA { " + " ".join(triples) + " }")
    return store


def test_a_unit_cut_grows_until_the_page_is_full(tmp_path: Path) -> None:
    """Units u1…u6 give 3, 1, 5, 1, 1 and 2 rows (a unit without products gives one row): every
    page equals the same page of the uncut query, and the cut stops as soon as the page is full
    or every unit is in."""
    from kg.questions import run_question
    from kg.store import EmbeddedStore

    question = parse_question(write(tmp_path, GOOD_HEADER + UNITS_QUERY, "units.rq"), base_iri=BASE)
    uncut = parse_question(write(tmp_path, GOOD_HEADER + UNITS_QUERY.replace(
        "LIMIT 3  # klaster:page-units", ""), "uncut.rq"), base_iri=BASE)
    assert question.page_units and not question.page_cut and not uncut.page_units
    assert question.unit_cuts(18) == [1, 4, 16, 18] and question.unit_cuts(1) == [1]
    sentra = f"{BASE}sentra/wedoro"
    store = units_store(EmbeddedStore())
    whole = run_question(store, uncut, {"sentra": sentra, "limit": "100"}, base_iri=BASE)
    assert len(whole.rows) == 13
    for (offset, limit), cut_at in {(0, 2): 1, (0, 3): 4, (3, 5): 4, (12, 5): 16, (0, 13): 14,
                                    (13, 1): 15, (5, 1): 4}.items():
        params = {"sentra": sentra, "offset": str(offset), "limit": str(limit)}
        cut = run_question(store, question, params, base_iri=BASE)
        assert cut.rows == whole.rows[offset:offset + limit], (offset, limit)
        assert cut.truncated == (offset + limit < 13)
        # the units listed once, the first cut_at of them bound in place of the sub-select (the
        # parameter ?sentra written as bound)
        assert "VALUES (?sentra ?unit)" in cut.sparql and "klaster:page-units" not in cut.sparql
        assert cut.sparql.count(f"(<{sentra}> <{BASE}unit/u") == min(cut_at, 6)
        assert cut.sparql.count(f"{BASE}unit/u") == min(cut_at, 6), (offset, limit)


def test_blank_node_units_are_cut_in_place(tmp_path: Path) -> None:
    """Blank nodes cannot be written in VALUES: the runner cuts the units sub-select in place
    instead, and the pages are still the slices of the whole answer."""
    from kg.questions import run_question
    from kg.store import EmbeddedStore

    question = parse_question(write(tmp_path, GOOD_HEADER + UNITS_QUERY, "units.rq"), base_iri=BASE)
    uncut = parse_question(write(tmp_path, GOOD_HEADER + UNITS_QUERY.replace(
        "LIMIT 3  # klaster:page-units", ""), "uncut.rq"), base_iri=BASE)
    kl, sentra = "https://w3id.org/klaster/ontology#", f"{BASE}sentra/wedoro"
    triples = []
    for u, products in enumerate((2, 0, 3), start=1):
        triples.append(f"<{sentra}> <{kl}hasMember> _:u{u} .")
        triples += [f"_:u{u} <{kl}produces> <{BASE}product/p{u}{i}> ." for i in range(products)]
    store = EmbeddedStore()
    store.update("INSERT DATA { " + " ".join(triples) + " }")
    whole = run_question(store, uncut, {"sentra": sentra, "limit": "100"}, base_iri=BASE).rows
    assert len(whole) == 6
    for offset, limit in ((0, 1), (1, 2), (3, 3), (2, 10)):
        cut = run_question(store, question, {"sentra": sentra, "offset": str(offset),
                                             "limit": str(limit)}, base_iri=BASE)
        assert [r[1:] for r in cut.rows] == [r[1:] for r in whole[offset:offset + limit]]
        assert "VALUES (" not in cut.sparql and "  # klaster:page-units" in cut.sparql


ALL_UNITS_QUERY = """PREFIX kl: <https://w3id.org/klaster/ontology#>
SELECT ?sentra ?unit ?p WHERE {
  { SELECT ?sentra ?unit WHERE { ?sentra kl:hasMember ?unit } ORDER BY ?unit  # klaster:page-units all
  }
  ?unit kl:produces ?p
}
ORDER BY ?unit ?p
"""


def test_units_that_may_give_no_row_are_listed_in_full_and_run_a_group_at_a_time(
        tmp_path: Path) -> None:
    """Units u1…u6 give 3, 0, 5, 1, 0 and 2 rows (a unit without products gives none): every page
    equals the same page of the uncut query; the runner lists all six units, runs u1, then u2–u4,
    then u5–u6 (never a unit twice), and stops once the page is full."""
    from kg.questions import run_question
    from kg.store import EmbeddedStore

    class Recording(EmbeddedStore):
        """The embedded store, keeping the text of every query it runs."""
        ran: list[str] = []

        def query(self, sparql, **kwargs):
            self.ran.append(sparql)
            return super().query(sparql, **kwargs)

    question = parse_question(write(tmp_path, GOOD_HEADER + ALL_UNITS_QUERY, "units.rq"),
                              base_iri=BASE)
    uncut = parse_question(write(tmp_path, GOOD_HEADER + ALL_UNITS_QUERY.replace(
        "  # klaster:page-units all", ""), "uncut.rq"), base_iri=BASE)
    assert question.page_units and question.units_all and not uncut.page_units
    sentra = f"{BASE}sentra/wedoro"
    store = units_store(Recording())
    whole = run_question(store, uncut, {"sentra": sentra, "limit": "100"}, base_iri=BASE)
    assert len(whole.rows) == 11
    groups = ([1], [2, 3, 4], [5, 6])
    for (offset, limit), runs in {(0, 2): 1, (0, 3): 2, (3, 5): 2, (5, 5): 3, (0, 11): 3,
                                  (10, 1): 3, (1, 1): 1, (2, 1): 2}.items():
        store.ran = []
        params = {"sentra": sentra, "offset": str(offset), "limit": str(limit)}
        cut = run_question(store, question, params, base_iri=BASE)
        assert cut.rows == whole.rows[offset:offset + limit], (offset, limit)
        assert cut.truncated == (offset + limit < 11)
        listing, *ran = store.ran
        assert "VALUES" not in listing and len(ran) == runs, (offset, limit)
        for text, group in zip(ran, groups):
            assert sorted(int(u) for u in re.findall(rf"{BASE}unit/u(\d)", text)) == group
        # the text shown binds every unit run so far, and gives the same rows
        shown = sorted(int(u) for u in re.findall(rf"{BASE}unit/u(\d)", cut.sparql))
        assert shown == [u for group in groups[:runs] for u in group]
        again = store.query(cut.sparql, bindings={"sentra": ox.NamedNode(sentra)})
        assert [tuple(term_value(r[c]) for c in cut.columns) for r in again][offset:offset + limit] \
            == list(cut.rows)
    with pytest.raises(QuestionDefinitionError, match="without a LIMIT"):
        parse_question(write(tmp_path, GOOD_HEADER + ALL_UNITS_QUERY.replace(
            "ORDER BY ?unit  #", "ORDER BY ?unit LIMIT 3  #")), base_iri=BASE)


def test_a_unit_cut_must_end_one_sub_select(tmp_path: Path) -> None:
    outside = UNITS_QUERY.replace("LIMIT 3  # klaster:page-units\n  }", "}").replace(
        "ORDER BY ?unit ?p\n", "ORDER BY ?unit ?p\nLIMIT 3  # klaster:page-units\n")
    with pytest.raises(QuestionDefinitionError, match="must end a sub-select"):
        parse_question(write(tmp_path, GOOD_HEADER + outside, "units.rq"), base_iri=BASE)
    twice = UNITS_QUERY.replace("OPTIONAL { ?unit kl:produces ?p }", "OPTIONAL { ?unit kl:produces ?p "
                                "{ SELECT ?unit WHERE { ?unit kl:produces ?q } ORDER BY ?unit "
                                "LIMIT 3  # klaster:page-units\n } }")
    with pytest.raises(QuestionDefinitionError, match="same text"):
        parse_question(write(tmp_path, GOOD_HEADER + twice, "units.rq"), base_iri=BASE)


BOUND_QUERY = """PREFIX kl: <https://w3id.org/klaster/ontology#>
SELECT ?sentra ?p ?score WHERE {
  {
    SELECT ?sentra ?p (SUM(?w) AS ?score) WHERE {
      { SELECT DISTINCT ?sentra ?p WHERE {
          { SELECT ?sentra ?unit ?b WHERE { ?sentra kl:hasMember ?unit . ?unit kl:weight ?b }
            # klaster:page-units bound=?b score=?score
          }
          ?p kl:produces ?unit } }
      ?sentra kl:hasMember ?item . ?item kl:weight ?w . ?p kl:produces ?item
    }
    GROUP BY ?sentra ?p
  }
}
ORDER BY DESC(?score) ?p
"""


def test_units_that_bound_a_score_are_declared_with_it(tmp_path: Path) -> None:
    question = parse_question(write(tmp_path, GOOD_HEADER + BOUND_QUERY, "bound.rq"), base_iri=BASE)
    assert question.page_units and question.units_bound == ("b", "score")
    plain = parse_question(write(tmp_path, GOOD_HEADER + UNITS_QUERY, "units.rq"), base_iri=BASE)
    assert plain.units_bound is None and "LIMIT 5  # klaster:page-units" in plain.sparql_for_page(5)
    mark = "# klaster:page-units bound=?b score=?score"
    for wrong, message in ((mark, "# klaster:page-units bound=?weight score=?score"),
                           (mark, "# klaster:page-units bound=?b score=?total"),
                           (mark, "LIMIT 3  " + mark), ("?unit kl:weight ?b }", "?unit kl:weight ?b } "
                                                        "LIMIT 3  # klaster:page-units")):
        with pytest.raises(QuestionDefinitionError, match="does not project|without a LIMIT"):
            parse_question(write(tmp_path, GOOD_HEADER + BOUND_QUERY.replace(wrong, message)),
                           base_iri=BASE)


def test_a_score_bound_stops_once_no_other_row_can_enter_the_page(tmp_path: Path) -> None:
    """Units u1, u2, u3 bound the score by 0.5, 0.3 and 0.2. p1 and p2 come through u1 (scores
    0.8 and 0.7, u2 and u3 counted too); q, through u2 and u3 only, scores 0.5, which is as much
    as the units after u1 allow. A page of one row (two rows read) is settled by u1 alone; a page
    that needs a third row takes every unit. Every page is the slice of the whole answer."""
    from kg.questions import run_question
    from kg.store import EmbeddedStore

    question = parse_question(write(tmp_path, GOOD_HEADER + BOUND_QUERY, "bound.rq"), base_iri=BASE)
    kl, sentra = "https://w3id.org/klaster/ontology#", f"{BASE}sentra/wedoro"
    weights = {"u1": "0.5", "u2": "0.3", "u3": "0.2"}
    makers = {"p1": ("u1", "u2"), "p2": ("u1", "u3"), "q": ("u2", "u3"), "r": ("u3",)}
    triples = [f"<{sentra}> <{kl}hasMember> <{BASE}unit/{u}> . <{BASE}unit/{u}> <{kl}weight> {w} ."
               for u, w in weights.items()]
    triples += [f"<{BASE}p/{p}> <{kl}produces> <{BASE}unit/{u}> ." for p, us in makers.items() for u in us]
    store = EmbeddedStore()
    store.update("INSERT DATA { " + " ".join(triples) + " }")
    whole = run_question(store, parse_question(write(tmp_path, GOOD_HEADER + BOUND_QUERY.replace(
        "# klaster:page-units bound=?b score=?score", ""), "whole.rq"), base_iri=BASE),
        {"sentra": sentra, "limit": "10"}, base_iri=BASE).rows
    assert [(r[0].rsplit("/", 1)[1], float(r[1])) for r in whole] == [
        ("p1", 0.8), ("p2", 0.7), ("q", 0.5), ("r", 0.2)]
    for (offset, limit), units in {(0, 1): 1, (0, 2): 3, (1, 1): 3, (2, 2): 3, (0, 10): 3}.items():
        cut = run_question(store, question, {"sentra": sentra, "offset": str(offset),
                                             "limit": str(limit)}, base_iri=BASE)
        assert cut.rows == whole[offset:offset + limit], (offset, limit)
        assert cut.truncated == (offset + limit < len(whole))
        assert "VALUES (?sentra ?unit)" in cut.sparql  # the bound ?b is the runner's, not written
        assert cut.sparql.count(f"{BASE}unit/u") == units, (offset, limit)


def test_blank_node_units_that_bound_a_score_are_all_taken(tmp_path: Path) -> None:
    """Blank nodes cannot be written in VALUES, and units without an order cannot be cut in place:
    the runner takes every unit at once, and the pages are still the slices of the whole answer."""
    from kg.questions import run_question
    from kg.store import EmbeddedStore

    question = parse_question(write(tmp_path, GOOD_HEADER + BOUND_QUERY, "bound.rq"), base_iri=BASE)
    kl, sentra = "https://w3id.org/klaster/ontology#", f"{BASE}sentra/wedoro"
    store = EmbeddedStore()
    store.update(f"INSERT DATA {{ <{sentra}> <{kl}hasMember> _:u1, _:u2 . _:u1 <{kl}weight> 0.6 . "
                 f"_:u2 <{kl}weight> 0.4 . <{BASE}p/a> <{kl}produces> _:u1 . "
                 f"<{BASE}p/b> <{kl}produces> _:u1, _:u2 . <{BASE}p/c> <{kl}produces> _:u2 }}")
    pages = [run_question(store, question, {"sentra": sentra, "offset": str(o), "limit": "1"},
                          base_iri=BASE) for o in range(3)]
    assert [(p.rows[0][0].rsplit("/", 1)[1], float(p.rows[0][1])) for p in pages] == [
        ("b", 1.0), ("a", 0.6), ("c", 0.4)]
    assert all("VALUES (" not in p.sparql for p in pages)


def test_a_page_cut_needs_an_order(tmp_path: Path) -> None:
    text = GOOD_HEADER + PAGED_QUERY.replace("\nORDER BY ?p\n", "\n")
    with pytest.raises(QuestionDefinitionError, match="klaster:page"):
        parse_question(write(tmp_path, text.replace("ORDER BY ?p LIMIT", "LIMIT"), "paged.rq"), base_iri=BASE)


IF_GIVEN_QUERY = """PREFIX kl: <https://w3id.org/klaster/ontology#>
SELECT ?sentra ?product ?maker WHERE {
  ?maker kl:produces ?product .  # klaster:if-given product
  ?maker kl:produces ?any .
  FILTER(!COALESCE(?product = ?product, false) || EXISTS { ?maker kl:produces ?product })
  FILTER(!COALESCE(?sentra = ?sentra, false) || sameTerm(?maker, ?sentra))
}
ORDER BY ?maker
"""


def test_an_if_given_line_is_kept_only_when_its_parameter_has_a_value(tmp_path: Path) -> None:
    from kg.questions import run_question
    from kg.store import EmbeddedStore

    header = GOOD_HEADER.replace("required: true, ", "") + (
        "#+   - {name: product, type: iri, example: \"id:produk/kain\", description: a product}\n")
    question = parse_question(write(tmp_path, header + IF_GIVEN_QUERY, "given.rq"), base_iri=BASE)
    assert question.if_given == {"product"}
    line = "?maker kl:produces ?product .  # klaster:if-given product"
    assert line in question.sparql_for_page(10)  # the file as written, for running by hand
    assert line not in question.sparql_for_page(10, given={"sentra"})
    assert line in question.sparql_for_page(10, given={"product"})
    store = EmbeddedStore()
    kl = "https://w3id.org/klaster/ontology#"
    store.update("INSERT DATA { " + " ".join(
        f"<{BASE}sentra/s{i}> <{kl}produces> <{BASE}produk/p{i % 3}> ." for i in range(9)) + " }")
    everyone = run_question(store, question, {}, base_iri=BASE)
    assert line not in everyone.sparql  # the text shown is the text run
    assert {row[-1] for row in everyone.rows} == {f"{BASE}sentra/s{i}" for i in range(9)}
    makers = run_question(store, question, {"product": f"{BASE}produk/p1"}, base_iri=BASE)
    assert line in makers.sparql
    assert [row[-1] for row in makers.rows] == [f"{BASE}sentra/s{i}" for i in (1, 4, 7)]
