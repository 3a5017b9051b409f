"""Canned questions: ``queries/<name>.rq`` files turned into typed records, and the one function that runs them.

Each file is valid SPARQL whose metadata sits in a YAML header of ``#+ `` comment lines (as in grlc)::

    #+ summary: Sentra that can share production technology with a sentra
    #+ description:
    #+   id: Sentra yang dapat berbagi teknologi produksi ...
    #+   en: Sentra that can share production technology ...
    #+ tags: [linkage, technology]
    #+ params:
    #+   - {name: sentra, type: iri, required: true, example: "id:sentra/wedoro", description: ...}

:func:`load_questions` reads every file once (at start-up) and fails loudly, with a
:class:`~kg.errors.KlasterError` naming the file and the problem, on a malformed header, an unknown
parameter type, a parameter the query does not use, or a query that does not parse.
:func:`run_question` validates the values a user gives, binds them to the query's variables as RDF
terms (never as text) and returns a :class:`ResultTable`. The web service and ``klaster ask`` both
call it.

Writing a question: a parameter ``p`` is the variable ``?p`` and must appear in the ``SELECT``
projection (pyoxigraph substitutes only projected variables). An optional parameter with no value
and no default stays unbound: test it with ``COALESCE(?p = ?p, false)``, not with ``BOUND(?p)``,
which the query optimiser folds to ``false`` before the substitution is applied. The columns of the
answer are the projected variables other than the parameters.

A question whose ranking sits in a sub-select can have that sub-select stop at the end of the
requested page, so that the rest of the query (labels, region columns) runs for those rows only:
end the sub-select with ``LIMIT <n>  # klaster:page``. The file stays valid SPARQL (``n`` is the
limit used when it is run by hand); :func:`run_question` replaces ``n`` with ``offset + limit + 1``.
The sub-select and the outer query must order by the same total order (end with the IRI), so that
the page cut inside gives the same rows as a cut outside.

A question whose answer is ordered by *units* first, each unit giving at least one row, can also
stop early: end the sub-select that lists the units in answer order with ``LIMIT <n>  #
klaster:page-units`` (it may appear in several places, always as the same text). :func:`run_question`
runs that sub-select once, on its own, for the first ``offset + limit + 1`` units (which always hold
the page, since each unit gives a row), then runs the query with the first 1, 4, 16, … of them
(:meth:`Question.unit_cuts`) bound as ``VALUES`` in place of every copy of the sub-select, until
the page is full or every listed unit is in. The outer order must begin with the units' order, and
every row must come from one unit, so that the rows of the first ``k`` units come before all
others. ``corridor`` uses it: an area's sentra are its units, and the first sentra alone usually
fill a page (at national scale each sentra has 100–2,000 partner rows, the whole answer up to 1.4
million), and so does ``unreached-specialised`` (its units are the specialised kabupaten/kota
figures, in LQ order).
Units that may give no row are listed in full instead: end their sub-select (in order, without a
LIMIT) with ``# klaster:page-units all``. The runner then binds them a group at a time (the
first, then the 2nd–4th, then the 5th–16th, …) and appends each group's rows to the page, never
running a unit twice. ``linkages`` uses it: its units are the four kinds, and a sentra's financing
rows alone usually fill its first page (testing first which kinds give a row cost more than it
saved).

A question ranked by a score that adds up over units can stop early too (the threshold algorithm
of Fagin, Lotem & Naor 2003): ``# klaster:page-units bound=?b score=?s`` ends the last line of
the sub-select that lists the units, each with ``?b``, the most a row can gain from that unit. It
has no LIMIT and needs no order: every unit is listed, and the runner puts the largest bounds
first (Virtuoso 7.2 sorts at most 10,000 rows under a LIMIT). The query must take its *candidate*
rows from the units of that sub-select and score each candidate over every unit (not only those
listed); the answer is ordered by ``?s`` descending first. Rows that share none of the first ``k``
units score at most the sum of ``?b`` over the other units, so once the page is full and its last
row scores more than that, no other row can enter it. :func:`run_question` lists every unit, then
binds the first 1, 4, 16, … of them (without ``?b``) until that holds or every unit is in
(blank-node units are all taken at once); run by hand, the file takes its candidates from every
unit. The partner questions use it: the units are the sentra's items, ``?b`` is ``1/users``, and
the candidates come from the rarest items first, so a scheme that 68,000 sentra use is only
looked up for the candidates instead of read in full.

A line can state, as a pattern the store can start from, a condition the query already checks
for a parameter: end it with ``# klaster:if-given p``. :func:`run_question` keeps the line when
``p`` has a value and drops it when not (an unbound ``?p`` in a pattern would make the store
enumerate every match). For example ``interventions`` filters the reached sentra with ``EXISTS {
?reached_sentra kl:within ?region }`` and also starts from ``?reached_sentra kl:within ?region .  #
klaster:if-given region``: with a kabupaten that is one lookup instead of a scan of every
intervention. The answer must be the same with and without the line; the loader checks that the
name is a declared parameter and that the query parses without the lines.

A parameter can bind a value derived from it, for a lookup the query cannot compute cheaply itself
(e.g. ``search`` looks up the label-index key of its text: a key computed in SPARQL from ``?q``
would make the store scan every key). ``derive: {key: search_key}`` on parameter ``q`` binds
``?key`` to ``search_key(q)``, a function of :data:`kg.params.DERIVATIONS`, whenever ``q`` has a
value. Like a parameter, ``?key`` must be projected and is not a column of the answer. The loader
checks that the function exists and that the variable is used and named like no parameter; a
function that refuses a value gives a 400 naming the parameter. The remote path binds it like any
other value (:mod:`kg.substitute`).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import yaml

from kg.errors import BadRequest, KlasterError, NotFound
from kg.namespaces import XSD
from kg.params import (DERIVATIONS, PAGING_PARAMS, PARAM_TYPES, Param, derived_terms, json_value,
                       normalise, to_term)
from kg.resources import data_folder
from kg.sparql_text import enclosing_group, mask, values_block
from kg.store import Store

#: Page size when neither the question nor the caller says otherwise.
DEFAULT_PAGE_SIZE = 100
#: Largest offset a page may start at (an ``offset``, or ``(page - 1) * limit``): far beyond any
#: answer, and small enough for the store's LIMIT and Python's slices.
MAX_OFFSET = 10**9

_HEADER_KEYS = {"summary", "description", "tags", "params", "require_one_of"}
_PARAM_KEYS = {"name", "type", "required", "default", "example", "description", "enum",
               "values_query", "minimum", "maximum", "min_length", "max_length", "derive"}
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_QUESTION_NAME = re.compile(r"[a-z][a-z0-9-]*")
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.I)
#: ``LIMIT n  # klaster:page``: the page cut a ranking sub-select makes (see the module text).
_PAGE_LIMIT = re.compile(r"\bLIMIT\s+\d+(?=[ \t]*#[ \t]*klaster:page(?![\w-]))", re.I)
#: ``LIMIT n  # klaster:page-units``: the cut of a sub-select listing the units of the answer.
_UNITS_LIMIT = re.compile(r"\bLIMIT\s+\d+(?=[ \t]*#[ \t]*klaster:page-units(?![\w-]))", re.I)
#: ``# klaster:page-units bound=?b score=?s`` (no LIMIT): units that bound a summed score (module text).
_UNITS_BOUND = re.compile(r"#[ \t]*klaster:page-units[ \t]+bound=\?(?P<bound>[A-Za-z_]\w*)"
                          r"[ \t]+score=\?(?P<score>[A-Za-z_]\w*)[ \t]*$", re.M)
#: ``# klaster:page-units all`` (no LIMIT): every unit listed, some of which may give no row.
_UNITS_ALL = re.compile(r"#[ \t]*klaster:page-units[ \t]+all[ \t]*$", re.M)
#: the first unit cut, and the factor it grows by while the page is not full
FIRST_UNITS, UNITS_GROWTH = 1, 4
_FIRST_SELECT = re.compile(r"\bSELECT\b", re.I)
#: ``... # klaster:if-given p``: a line kept only when parameter ``p`` has a value (module text).
_IF_GIVEN = re.compile(r"^[^\n]*#[ \t]*klaster:if-given[ \t]+(?P<name>[a-z][a-z0-9_]*)[ \t]*$", re.M)
_INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                    "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                    "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOAT_TYPES = {XSD + t for t in ("decimal", "double", "float")}


class QuestionDefinitionError(KlasterError):
    """A file in ``queries/`` is not a well-formed canned question (a deployment error)."""

    title = "Invalid canned question"


@dataclass(frozen=True)
class Question:
    """One canned question, loaded from ``queries/<name>.rq``."""

    name: str
    summary: str
    description_id: str
    description_en: str
    tags: tuple[str, ...]
    params: tuple[Param, ...]
    sparql: str
    source: str
    require_one_of: tuple[str, ...] = ()

    @property
    def ordered(self) -> bool:
        """True when the query orders its answer (row order then matters)."""
        return bool(_ORDER_BY.search(mask(self.sparql)))

    @property
    def bound_params(self) -> tuple[Param, ...]:
        """Parameters bound into the query (everything but paging)."""
        return tuple(p for p in self.params if not p.is_paging)

    @property
    def page_cut(self) -> bool:
        """True when a sub-select stops at the end of the page (``LIMIT n  # klaster:page``)."""
        return bool(_PAGE_LIMIT.search(self.sparql))

    @property
    def page_units(self) -> bool:
        """True when a sub-select lists the answer's units (``LIMIT n  # klaster:page-units``, or
        ``# klaster:page-units bound=?b score=?s``)."""
        return bool(_UNITS_LIMIT.search(self.sparql) or _UNITS_BOUND.search(self.sparql)
                    or _UNITS_ALL.search(self.sparql))

    @property
    def units_all(self) -> bool:
        """True when every unit is listed and a unit may give no row (``# klaster:page-units all``)."""
        return bool(_UNITS_ALL.search(self.sparql))

    @property
    def units_bound(self) -> tuple[str, str] | None:
        """``(bound, score)`` when the units bound a summed score
        (``# klaster:page-units bound=?b score=?s``), otherwise None."""
        match = _UNITS_BOUND.search(self.sparql)
        return (match.group("bound"), match.group("score")) if match else None

    def unit_cuts(self, rows: int) -> list[int]:
        """The unit cuts :func:`run_question` tries, in turn, for a page that ends at row ``rows``."""
        cuts = [min(FIRST_UNITS, rows)]
        while cuts[-1] < rows:
            cuts.append(min(cuts[-1] * UNITS_GROWTH, rows))
        return cuts

    def sparql_for_page(self, rows: int, given: Collection[str] | None = None,
                        units: int | None = None) -> str:
        """The query with every ``LIMIT n  # klaster:page`` cut set to ``rows`` and every
        ``LIMIT n  # klaster:page-units`` cut set to ``units`` (default ``rows``, which always
        holds the page); with ``given`` (the names of the parameters that have a value), without the
        ``# klaster:if-given p`` lines of the parameters that have none."""
        sparql = _PAGE_LIMIT.sub(f"LIMIT {int(rows)}", self.sparql)
        sparql = _UNITS_LIMIT.sub(f"LIMIT {int(rows if units is None else units)}", sparql)
        if given is None:
            return sparql
        return _IF_GIVEN.sub(lambda m: m.group(0) if m.group("name") in given else "", sparql)

    @property
    def if_given(self) -> frozenset[str]:
        """The parameters named by ``# klaster:if-given`` lines."""
        return frozenset(m.group("name") for m in _IF_GIVEN.finditer(self.sparql))

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def paging_params(self) -> tuple[Param, ...]:
        """The paging parameters: declared ones with their defaults, otherwise the standard ones."""
        declared = {p.name: p for p in self.params if p.is_paging}
        standard = (
            Param("limit", "integer", "rows per page (paging)", default=DEFAULT_PAGE_SIZE,
                  example=DEFAULT_PAGE_SIZE, minimum=1),
            Param("offset", "integer", "rows to skip before the first row returned (paging)",
                  default=0, example=0, minimum=0),
            Param("page", "integer", "page number, from 1 (alternative to offset)", example=1,
                  minimum=1),
        )
        return tuple(declared.get(p.name, p) for p in standard)

    def example_params(self) -> dict[str, object]:
        """Every parameter's example value (for documentation)."""
        return {p.name: p.example for p in self.params if p.example is not None}

    def example_call(self) -> dict[str, str]:
        """The documented example call: the required parameters (and the first of
        ``require_one_of``) with their example values."""
        wanted = {p.name for p in self.params if p.required} | set(self.require_one_of[:1])
        return {p.name: str(p.example) for p in self.params if p.name in wanted}


@dataclass(frozen=True)
class ResultTable:
    """The answer to a question: flat rows of plain values, and how it was obtained."""

    query: str
    params: dict[str, object]
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    truncated: bool
    sparql: str
    bindings: dict[str, str] = field(default_factory=dict)
    offset: int = 0
    limit: int = DEFAULT_PAGE_SIZE
    ordered: bool = False

    def records(self) -> list[dict[str, object]]:
        return [dict(zip(self.columns, row)) for row in self.rows]

    def as_json(self) -> dict[str, object]:
        """The JSON body of CONTRACT.md (plus paging and the bound terms)."""
        return {"query": self.query, "params": self.params, "columns": list(self.columns),
                "rows": self.records(), "truncated": self.truncated, "offset": self.offset,
                "limit": self.limit, "sparql": self.sparql, "bindings": self.bindings}


# -- loading ---------------------------------------------------------------------------------------

def _split_header(text: str) -> tuple[str, str]:
    header, body = [], []
    for line in text.splitlines():
        if line.startswith("#+"):
            header.append(line[3:] if line.startswith("#+ ") else line[2:])
        else:
            body.append(line)
    return "\n".join(header), "\n".join(body).strip() + "\n"


def _text(source: str, where: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise QuestionDefinitionError(f"{source}: {where} must be a non-empty text")
    return " ".join(value.split())


def _param(source: str, raw: object, base_iri: str) -> Param:
    if not isinstance(raw, Mapping):
        raise QuestionDefinitionError(f"{source}: each entry of params must be a mapping, got {raw!r}")
    unknown = set(raw) - _PARAM_KEYS
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise QuestionDefinitionError(f"{source}: parameter name {name!r} must match {_NAME.pattern}")
    where = f"parameter {name!r}"
    if unknown:
        raise QuestionDefinitionError(f"{source}: {where} has unknown key(s) {', '.join(sorted(unknown))}")
    kind = raw.get("type")
    if kind not in PARAM_TYPES:
        raise QuestionDefinitionError(
            f"{source}: {where} has unknown type {kind!r} (one of {', '.join(PARAM_TYPES)})")
    enum = raw.get("enum") or ()
    if kind == "enum" and (not isinstance(enum, list) or not enum
                           or not all(isinstance(v, str) for v in enum)):
        raise QuestionDefinitionError(f"{source}: {where} of type enum needs an enum list of texts")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise QuestionDefinitionError(f"{source}: {where}: required must be true or false")
    derive = raw.get("derive") or {}
    if not isinstance(derive, Mapping) or not all(
            isinstance(v, str) and _NAME.fullmatch(v) and f in DERIVATIONS for v, f in derive.items()):
        raise QuestionDefinitionError(
            f"{source}: {where}: derive must map variable names to one of {', '.join(DERIVATIONS)}")
    values_query = raw.get("values_query")
    if values_query is not None:
        values_query = str(values_query)
        _check_parses(source, f"{where} values_query", values_query)
    param = Param(
        name=name, type=kind, description=_text(source, f"{where} description", raw.get("description")),
        required=required, default=raw.get("default"), example=raw.get("example"),
        enum=tuple(enum), values_query=values_query, minimum=raw.get("minimum"),
        maximum=raw.get("maximum"), min_length=raw.get("min_length"), max_length=raw.get("max_length"),
        derive=tuple(derive.items()))
    for key in ("default", "example"):
        value = getattr(param, key)
        if value is not None:
            try:
                normalise(param, value, base_iri)
            except BadRequest as exc:
                raise QuestionDefinitionError(f"{source}: {where}: {key} {value!r} is invalid: "
                                              f"{exc.detail}") from None
    if required and param.default is not None:
        raise QuestionDefinitionError(f"{source}: {where} is required and cannot have a default")
    if param.example is None:
        raise QuestionDefinitionError(f"{source}: {where} needs an example")
    return param


def _check_units(source: str, body: str) -> None:
    """Every ``# klaster:page-units`` mark ends a sub-select (``{ SELECT … }``), all of them are
    the same sub-select (its units are listed once and bound in each place), and a bound and a score
    are projected where they are named."""
    try:
        spans = _units_spans(body)
    except ValueError:
        spans = []
    masked = mask(body)  # before the spaces are folded: a comment ends at its line's end
    groups = {re.sub(r"\s+", " ", body[a:b]) for a, b in spans}
    if not spans or any(not re.match(r"\{\s*SELECT\b", masked[a:b], re.I) for a, b in spans):
        raise QuestionDefinitionError(f"{source}: a '# klaster:page-units' cut must end a sub-select "
                                      "({ SELECT … LIMIT n  # klaster:page-units })")
    marks = _UNITS_LIMIT.findall(body) + _UNITS_BOUND.findall(body) + _UNITS_ALL.findall(body)
    if len(groups) > 1 or len(spans) != len(marks):
        raise QuestionDefinitionError(f"{source}: every '# klaster:page-units' sub-select must be the "
                                      "same text (the units are listed once)")
    bound = _UNITS_BOUND.search(body)
    if bound and (_UNITS_LIMIT.search(body) or _UNITS_ALL.search(body)):
        raise QuestionDefinitionError(f"{source}: units that bound a score are listed in full: write "
                                      "'# klaster:page-units bound=?b score=?s' without a LIMIT, in "
                                      "every place")
    if _UNITS_ALL.search(body) and _UNITS_LIMIT.search(body):
        raise QuestionDefinitionError(f"{source}: units that may give no row are listed in full: "
                                      "write '# klaster:page-units all' without a LIMIT, in every "
                                      "place")
    if bound:
        for where, text, name in (("the units sub-select", _units_listing(body), bound.group("bound")),
                                  ("the query", body, bound.group("score"))):
            if name not in _check_parses(source, where, text):
                raise QuestionDefinitionError(f"{source}: '# klaster:page-units bound=?"
                                              f"{bound.group('bound')} score=?{bound.group('score')}'"
                                              f": {where} does not project ?{name}")


def _check_parses(source: str, where: str, sparql: str,
                  bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None) -> set[str]:
    """Check that ``sparql`` is a SELECT query the store parses; returns the variables it projects."""
    try:
        result = ox.Store().query(sparql, substitutions={ox.Variable(k): v for k, v in
                                                          (bindings or {}).items()})
    except SyntaxError as exc:
        raise QuestionDefinitionError(f"{source}: {where} is not valid SPARQL: {exc}") from None
    except (RuntimeError, ValueError) as exc:
        raise QuestionDefinitionError(f"{source}: {where}: {exc}") from None
    if not isinstance(result, ox.QuerySolutions):
        raise QuestionDefinitionError(f"{source}: {where} must be a SELECT query")
    return {v.value for v in result.variables}


def parse_question(path: Path, *, base_iri: str) -> Question:
    """The :class:`Question` in one ``.rq`` file; raises :class:`QuestionDefinitionError`."""
    source = path.name
    name = path.stem
    if not _QUESTION_NAME.fullmatch(name):
        raise QuestionDefinitionError(f"{source}: the file name must match {_QUESTION_NAME.pattern}.rq")
    try:
        header_text, body = _split_header(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionDefinitionError(f"{source}: cannot read: {exc}") from None
    try:
        header = yaml.safe_load(header_text) if header_text.strip() else None
    except yaml.YAMLError as exc:
        raise QuestionDefinitionError(f"{source}: the #+ header is not valid YAML: {exc}") from None
    if not isinstance(header, Mapping):
        raise QuestionDefinitionError(f"{source}: missing '#+ ' YAML header (summary, description, params)")
    unknown = set(header) - _HEADER_KEYS
    if unknown:
        raise QuestionDefinitionError(f"{source}: unknown header key(s) {', '.join(sorted(unknown))}")
    description = header.get("description")
    if not isinstance(description, Mapping) or set(description) - {"id", "en"}:
        raise QuestionDefinitionError(f"{source}: description must be a mapping with 'id' and 'en' texts")
    tags = header.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise QuestionDefinitionError(f"{source}: tags must be a list of texts")
    raw_params = header.get("params") or []
    if not isinstance(raw_params, list):
        raise QuestionDefinitionError(f"{source}: params must be a list")
    params = tuple(_param(source, p, base_iri) for p in raw_params)
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise QuestionDefinitionError(f"{source}: a parameter is declared twice")
    derived = [v for p in params for v, _ in p.derive]
    if len(set(derived)) != len(derived) or set(derived) & set(names):
        raise QuestionDefinitionError(f"{source}: a derived variable is named twice or like a parameter")
    masked = mask(body)
    for variable in derived:
        if not re.search(rf"[?$]{variable}\b", masked):
            raise QuestionDefinitionError(
                f"{source}: derived variable {variable!r} is declared but the query never uses it")
    for p in params:
        if not p.is_paging and not re.search(rf"[?$]{p.name}\b", masked):
            raise QuestionDefinitionError(
                f"{source}: parameter {p.name!r} is declared but the query never uses ?{p.name}")
    one_of = header.get("require_one_of") or []
    if not isinstance(one_of, list) or any(n not in names for n in one_of):
        raise QuestionDefinitionError(f"{source}: require_one_of must list declared parameters")
    examples: dict[str, ox.NamedNode | ox.Literal] = {}
    for p in params:
        if not p.is_paging:
            example = normalise(p, p.example, base_iri)
            try:
                examples.update({p.name: to_term(p, example)}, **derived_terms(p, example))
            except BadRequest as exc:
                raise QuestionDefinitionError(f"{source}: parameter {p.name!r}: example "
                                              f"{p.example!r} is invalid: {exc.detail}") from None
    _check_parses(source, "the query", body, examples)
    for match in _IF_GIVEN.finditer(body):
        if match.group("name") not in names or match.group("name") in PAGING_PARAMS:
            raise QuestionDefinitionError(f"{source}: '# klaster:if-given {match.group('name')}' "
                                          "names no declared parameter")
    if _IF_GIVEN.search(body):
        _check_parses(source, "the query without its '# klaster:if-given' lines",
                      _IF_GIVEN.sub("", body), examples)
    if _UNITS_LIMIT.search(body) or _UNITS_BOUND.search(body):
        _check_units(source, body)
    for mark, pattern in (("page", _PAGE_LIMIT), ("page-units", _UNITS_LIMIT)):
        if pattern.search(body) and not _ORDER_BY.search(mask(body)):
            raise QuestionDefinitionError(
                f"{source}: a '# klaster:{mark}' cut needs an ORDER BY (a total order)")
    return Question(
        name=name, summary=_text(source, "summary", header.get("summary")),
        description_id=_text(source, "description.id", description.get("id")),
        description_en=_text(source, "description.en", description.get("en")),
        tags=tuple(tags), params=params, sparql=body, source=source, require_one_of=tuple(one_of))


def load_questions(folder: Path | None = None, *,
                   base_iri: str = "https://w3id.org/klaster/id/") -> dict[str, Question]:
    """Every question in ``folder`` (default: the installed ``queries/``), by name, sorted."""
    folder = data_folder("queries") if folder is None else Path(folder)
    files = sorted(folder.glob("*.rq"))
    if not files:
        raise QuestionDefinitionError(f"no canned questions (*.rq) in {folder}")
    return {q.name: q for q in (parse_question(f, base_iri=base_iri) for f in files)}


def get_question(questions: Mapping[str, Question], name: str) -> Question:
    try:
        return questions[name]
    except KeyError:
        raise NotFound(f"no canned question named {name!r}; known: {', '.join(questions)}") from None


# -- running ---------------------------------------------------------------------------------------

def _single(name: str, raw: object) -> object:
    if isinstance(raw, (list, tuple)):
        if len(raw) != 1:
            raise BadRequest(f"parameter {name!r} given {len(raw)} times; give it once",
                             parameter=name)
        return raw[0]
    return raw


def term_value(term: object) -> object:
    """A result term as a plain value: IRIs and strings as text, numbers as numbers."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGER_TYPES:
                return int(term.value)
            if datatype in _FLOAT_TYPES:
                return float(Decimal(term.value)) if datatype == XSD + "decimal" else float(term.value)
            if datatype == XSD + "boolean":
                return term.value in ("true", "1")
        except (ValueError, ArithmeticError):
            return term.value
        return term.value
    return str(term)


def _paging(question: Question, values: dict[str, object], base_iri: str,
            max_rows: int) -> tuple[int, int]:
    specs = {p.name: p for p in question.paging_params()}
    limit_p = dataclasses.replace(specs["limit"], maximum=max_rows)
    limit = normalise(limit_p, values["limit"], base_iri) if "limit" in values else limit_p.default
    limit = min(int(limit), max_rows)  # type: ignore[arg-type]
    if "offset" in values and "page" in values:
        raise BadRequest("give either 'offset' or 'page', not both", parameter="page")
    offset = 0
    if "offset" in values:
        offset = int(normalise(specs["offset"], values["offset"], base_iri))  # type: ignore[arg-type]
    elif "page" in values:
        offset = (int(normalise(specs["page"], values["page"], base_iri)) - 1) * limit  # type: ignore[arg-type]
    if offset > MAX_OFFSET:
        raise BadRequest(f"the page starts beyond row {MAX_OFFSET:,}: give a smaller offset or page",
                         parameter="page" if "page" in values else "offset")
    return limit, offset


def _run(store: Store, question: Question, sparql: str, bindings: Mapping[str, ox.Term],
         end: int | None) -> tuple[list[str], list[ox.QuerySolution]]:
    """The variables and the first ``end`` solutions of ``sparql`` (every one for None)."""
    result = store.query(sparql, bindings=bindings)
    if not isinstance(result, ox.QuerySolutions):  # pragma: no cover - the loader checks SELECT
        raise QuestionDefinitionError(f"{question.source}: not a SELECT query")
    return [v.value for v in result.variables], list(itertools.islice(result, end))


def _run_by_units(store: Store, question: Question, sparql: str, bindings: Mapping[str, ox.Term],
                  end: int) -> tuple[list[str], list[ox.QuerySolution], str]:
    """Run a question with a ``# klaster:page-units`` sub-select: list its units once (the first
    ``end``, which hold the page; or every unit: largest bound first when they bound a score, in
    their order when they are marked ``all``), then bind them as ``VALUES`` in place of the
    sub-select, a cut at a time (:meth:`Question.unit_cuts`: the first 1, 4, 16, …) until the page
    is settled or every listed unit is in: full, and when the units bound a score, its last row
    scoring more than the other units can add up to. Units marked ``all`` are run a group at a
    time (unit 1, then 2–4, then 5–16, …) and their rows appended, since every row comes from one
    unit and the rows of a unit come before those of the next. The others are run from the first
    unit each time (1, then 1–4, …): a candidate is scored over every unit; and Virtuoso 7.2
    answers ``corridor`` wrongly with one unit bound alone (it folds a one-row ``VALUES`` into
    constants and loses the partners), which the next, larger cut mends. Returns the variables,
    the first ``end`` solutions and a text that gives them (the units of the settled cut bound in
    place of the sub-select)."""
    spans = _units_spans(sparql)
    listing = _units_listing(sparql)
    used = {name: term for name, term in bindings.items()
            if re.search(rf"[?$]{name}\b", mask(listing))}
    unit_vars, units = _run(store, question, listing, used, None)
    # a parameter the units carry is written as bound, not as the server wrote it back (Virtuoso
    # 7.2 returns a bound decimal 1 as the integer 1, which would not join); and it is written, not
    # left out: without it pyoxigraph planned corridor's first page in 9.4 s instead of 0.2 s
    units = [{v: bindings.get(v, u[v]) for v in unit_vars} for u in units]
    bound, score = question.units_bound or (None, None)
    rest: list[Decimal] = []
    if bound:  # the bounds are the runner's, not the query's (and not every server reads them back)
        unit_vars = [v for v in unit_vars if v != bound]
        for u in units:
            u[bound] = _number(u[bound], Decimal("Infinity"))
        units.sort(key=lambda u: (-u[bound], [str(u[v]) for v in unit_vars]))
        # rest[k]: the most a row outside the candidates of the first k units can score
        rest = list(itertools.accumulate(u[bound] for u in reversed(units)))[::-1] + [Decimal(0)]

    def bind(first: int, stop: int) -> str:
        """The query with units ``first`` to ``stop`` bound in place of the sub-select
        (``ValueError`` for a blank-node unit)."""
        block = "{ " + values_block(unit_vars, [tuple(u[v] for v in unit_vars)
                                                for u in units[first:stop]]) + " }"
        text = sparql
        for a, b in reversed(spans):
            text = text[:a] + block + text[b:]
        return text

    every = bound or question.units_all
    head: list[ox.QuerySolution] = []
    done = 0  # the units whose rows are in head
    for k in question.unit_cuts(max(len(units), 1) if every else end):
        first = done if question.units_all else 0
        try:
            text = bind(first, k)
        except ValueError:  # a blank-node unit: cut the sub-select in place instead (or, with no
            # order to cut by, take every unit), from the first unit again
            text = sparql if every else question.sparql_for_page(end, given=bindings.keys(), units=k)
            k, first = (len(units) if every else k), 0
        if first == 0:
            head = []
        variables, rows = _run(store, question, text, bindings, end - len(head))
        head += rows
        done = k
        if first:  # the text shown: every unit so far bound (it gives the same rows)
            text = bind(0, k)
        if k >= len(units):  # every unit is in
            return variables, head, text
        full = len(head) == end
        if full and (not bound or _number(head[-1][score], Decimal("-Infinity")) > _margin(rest[k])):
            return variables, head, text
    raise AssertionError("unit_cuts ends at the last unit")  # pragma: no cover


def _number(term: ox.Term | None, otherwise: Decimal) -> Decimal:
    """A bound or a score as a Decimal, ``otherwise`` when it is not a number (a unit without a
    bound bounds nothing: +infinity; a row without a score beats nothing: -infinity)."""
    try:
        return Decimal(term.value)  # type: ignore[union-attr]
    except (AttributeError, ArithmeticError):
        return otherwise


def _margin(rest: Decimal) -> Decimal:
    """What a score must exceed to beat every row outside the candidates, which score at most
    ``rest``: ``rest`` plus a rounding error (a server may add the bounds in floating point)."""
    return rest + abs(rest) * Decimal("1e-9")


def _units_listing(sparql: str) -> str:
    """The units sub-select of ``sparql`` as a query of its own (with the query's prologue)."""
    start, stop = _units_spans(sparql)[0]
    return sparql[:_FIRST_SELECT.search(mask(sparql)).start()] + sparql[start + 1:stop - 1]


def _units_spans(sparql: str) -> list[tuple[int, int]]:
    """The ``{ SELECT … LIMIT n  # klaster:page-units }`` groups of ``sparql`` (or those ending in
    ``# klaster:page-units bound=?b score=?s``), in text order."""
    marks = itertools.chain(_UNITS_LIMIT.finditer(sparql), _UNITS_BOUND.finditer(sparql),
                            _UNITS_ALL.finditer(sparql))
    return [enclosing_group(sparql, m.start()) for m in sorted(marks, key=lambda m: m.start())]


def run_question(store: Store, question: Question, raw_params: Mapping[str, object], *,
                 base_iri: str, max_rows: int = 100_000) -> ResultTable:
    """Validate ``raw_params``, bind them, run the question and return one page of its answer.

    Raises :class:`~kg.errors.BadRequest` naming the parameter for an unknown parameter, a missing
    required one or a value of the wrong type.
    """
    values = {k: _single(k, v) for k, v in raw_params.items() if v is not None}
    known = {p.name for p in question.params} | set(PAGING_PARAMS)
    unknown = sorted(set(values) - known)
    if unknown:
        raise BadRequest(f"unknown parameter {unknown[0]!r} for {question.name}; expected "
                         f"{', '.join(sorted(known))}", parameter=unknown[0])
    limit, offset = _paging(question, values, base_iri, max_rows)
    bindings: dict[str, ox.NamedNode | ox.Literal] = {}
    shown: dict[str, object] = {}
    for p in question.bound_params:
        if p.name in values:
            value = normalise(p, values[p.name], base_iri)
        elif p.required:
            raise BadRequest(f"missing required parameter {p.name!r} ({p.description})",
                             parameter=p.name)
        elif p.default is not None:
            value = normalise(p, p.default, base_iri)
        else:
            continue
        bindings[p.name] = to_term(p, value)
        bindings.update(derived_terms(p, value))
        shown[p.name] = json_value(value)
    if question.require_one_of and not any(n in bindings for n in question.require_one_of):
        first = question.require_one_of[0]
        raise BadRequest(f"give one of the parameters {' or '.join(question.require_one_of)}",
                         parameter=first)
    shown.update(limit=limit, offset=offset)
    end = offset + limit + 1
    sparql = question.sparql_for_page(end, given=bindings.keys())
    if question.page_units:
        variables, head, sparql = _run_by_units(store, question, sparql, bindings, end)
    else:
        variables, head = _run(store, question, sparql, bindings, end)
    param_names = {p.name for p in question.params} | {v for p in question.params for v, _ in p.derive}
    columns = tuple(v for v in variables if v not in param_names)
    page = head[offset:]
    truncated = len(page) > limit
    rows = tuple(tuple(term_value(solution[c]) for c in columns) for solution in page[:limit])
    return ResultTable(
        query=question.name, params=shown, columns=columns, rows=rows, truncated=truncated,
        sparql=sparql, bindings={k: str(v) for k, v in bindings.items()},
        offset=offset, limit=limit, ordered=question.ordered)


def list_values(store: Store, param: Param, *, limit: int = 200) -> list[tuple[str, str]]:
    """The allowed values of a parameter with a ``values_query`` as (value, label) pairs."""
    if not param.values_query:
        return []
    result = store.query(param.values_query)
    out: list[tuple[str, str]] = []
    for solution in itertools.islice(result, limit):  # type: ignore[arg-type]
        terms = [solution[v] for v in result.variables]  # type: ignore[union-attr]
        value = term_value(terms[0])
        label = term_value(terms[1]) if len(terms) > 1 and terms[1] is not None else value
        out.append((str(value), str(label)))
    return out
