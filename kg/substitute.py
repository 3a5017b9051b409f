"""Pre-bound variables for a remote store: write the bound RDF terms into the query text.

The embedded store binds ``bindings=`` with pyoxigraph substitutions: the variable is bound before
the query is evaluated, in every scope that projects it, so a ``FILTER`` or an aggregate sees its
value. A trailing ``VALUES`` block is not equivalent (it joins after the filters ran), so for a
remote SPARQL server the term itself is written where the variable was:

* in triple patterns and expressions: the term (``?sentra`` → ``<https://…/sentra/wedoro>``);
* as a plain projection (``SELECT ?sentra``): ``(<…> AS ?sentra)`` (an IRI as ``(IRI("…") AS
  ?sentra)``, which Virtuoso keeps an IRI through an ordered UNION), so the answer keeps the column;
* in ``GROUP BY`` and ``ORDER BY``: ``(<…>)`` (a constant expression; grouping stays grouped, so an
  empty input still gives no group);
* in a ``VALUES`` variable list: the rows that disagree with the term are dropped and the column
  removed (the rows are read and re-written by pyoxigraph).

Scoping follows SPARQL: inside a sub-``SELECT`` that does not project the variable, it is a
different variable and stays. Terms are only ever written by pyoxigraph (``str(term)`` is the
N-Triples form, with every quote and control character escaped), never from user text; blank nodes
cannot be bound this way and are refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import BadRequest
from kg.sparql_text import mask

_TOKEN = re.compile(r"[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+|[{}()]"
                    r"|(?<![\w:.\-])[A-Za-z_]+(?:\s+BY\b)?(?![\w:\-])", re.I)
_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")


@dataclass
class _Select:
    start: int          # position of SELECT
    depth: int          # brace depth at SELECT
    end: int            # position of the brace closing the enclosing group (or len(text))
    body: int           # position where the projection ends (first '{' or WHERE)
    projects: set[str]  # projected variable names (None-like '*' when SELECT *)
    star: bool


def query_form(sparql: str) -> str:
    """``SELECT``, ``CONSTRUCT``, ``ASK`` or ``DESCRIBE``: the form of a query (first keyword)."""
    for match in _TOKEN.finditer(mask(sparql)):
        word = match.group(0).upper()
        if word in _FORMS:
            return word
    raise BadRequest("not a SPARQL query (no SELECT, CONSTRUCT, ASK or DESCRIBE)")


def _tokens(masked: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(masked)]


def _selects(tokens: list[tuple[int, int, str]], length: int) -> list[_Select]:
    found: list[_Select] = []
    depth = 0
    open_at: list[int] = []  # indexes into found, for selects still open, with their depth
    for i, (start, end, tok) in enumerate(tokens):
        if tok == "{":
            depth += 1
        elif tok == "}":
            for sel in found:
                if sel.end == -1 and sel.depth == depth and sel.depth > 0:
                    sel.end = start
            depth -= 1
        elif tok.upper() in _FORMS:
            projects: set[str] = set()
            star = tok.upper() != "SELECT"  # CONSTRUCT/ASK/DESCRIBE: everything is in scope
            paren = 0
            body = length
            for s2, _e2, t2 in tokens[i + 1:]:
                if t2 == "(":
                    paren += 1
                elif t2 == ")":
                    paren -= 1
                elif t2 == "{" or t2.upper() == "WHERE":
                    body = s2
                    break
                elif paren == 0 and t2[0] in "?$":
                    projects.add(t2[1:])
                elif paren == 0 and t2 == "*":
                    star = True
            found.append(_Select(start, depth, -1, body, projects, star))
            open_at.append(len(found) - 1)
    for sel in found:
        if sel.end == -1:
            sel.end = length
    # '*' is not matched by _TOKEN; look for it in the projection text directly
    return found


def _chain(selects: list[_Select], pos: int) -> list[_Select]:
    """The SELECTs whose scope contains ``pos``, innermost first."""
    inside = [s for s in selects if s.start <= pos < s.end]
    return sorted(inside, key=lambda s: -s.start)


def _connected(selects: list[_Select], pos: int, name: str, *, in_projection_of: _Select | None) -> bool:
    for sel in _chain(selects, pos):
        if sel is in_projection_of:
            continue  # the projection itself belongs to the enclosing scope
        if not (sel.star or name in sel.projects):
            return False
    return True


def _term_text(name: str, term: object) -> str:
    if isinstance(term, ox.BlankNode) or not isinstance(term, (ox.NamedNode, ox.Literal)):
        raise BadRequest(f"?{name}: only IRIs and literals can be bound on a remote store")
    return str(term)


def _projected(term: object, text: str) -> str:
    """The expression a projection binds: an IRI as ``IRI("…")``. Virtuoso 7.2 returns a constant
    ``<iri>`` projected in every branch of a UNION as a plain string when the query is ordered
    without a LIMIT; ``IRI("…")`` means the same everywhere and stays an IRI there."""
    if isinstance(term, ox.NamedNode):
        return f"IRI({ox.Literal(term.value)})"
    return text


def _values_rewrite(prologue: str, text: str, block: str, bound: dict[str, object]) -> str:
    """Rewrite one VALUES block (``block`` is its text from VALUES to the closing brace)."""
    rows = ox.Store().query(prologue + "\nSELECT * WHERE { " + block + " }")
    variables = [v.value for v in rows.variables]
    keep = [v for v in variables if v not in bound]
    lines = []
    for row in rows:
        if any(row[v] is not None and row[v] != bound[v] for v in variables if v in bound):
            continue
        lines.append("(" + " ".join("UNDEF" if row[v] is None else str(row[v]) for v in keep) + ")")
    head = " ".join(f"?{v}" for v in keep)
    return f"VALUES ({head}) {{ {' '.join(lines)} }}"


def substitute(sparql: str, bindings: Mapping[str, object] | None) -> str:
    """``sparql`` with each bound variable replaced by its term (see the module documentation)."""
    if not bindings:
        return sparql
    bound = {name: term for name, term in bindings.items()}
    terms = {name: _term_text(name, term) for name, term in bound.items()}
    masked = mask(sparql)
    tokens = _tokens(masked)
    # '*' projections: mark SELECT * scopes
    selects = _selects(tokens, len(sparql))
    for sel in selects:
        if re.search(r"\*", masked[sel.start:sel.body].split("(")[0]):
            sel.star = True
    # names a directly nested sub-SELECT projects: there the variable stays in scope (bound to the
    # term by that sub-SELECT), so the enclosing projection and GROUP BY keep it as a variable
    provided: dict[int, set[str]] = {id(sel): set() for sel in selects}
    for sel in selects:
        chain = _chain(selects, sel.start)
        if len(chain) > 1:
            provided[id(chain[1])] |= sel.projects if not sel.star else set(bound)
    form_at = next((s for s, _e, t in tokens if t.upper() in _FORMS), 0)
    prologue = sparql[:form_at]

    edits: list[tuple[int, int, str]] = []
    i = 0
    clause = ""        # "", "group", "order", "values-vars"
    paren = 0
    while i < len(tokens):
        start, end, tok = tokens[i]
        upper = re.sub(r"\s+", " ", tok.upper())
        if upper == "VALUES":
            # find the variable list and the data block
            j = i + 1
            names: list[tuple[int, int, str]] = []
            while j < len(tokens) and tokens[j][2] != "{":
                if tokens[j][2][0] in "?$":
                    names.append(tokens[j])
                j += 1
            depth, k = 0, j
            while k < len(tokens):
                if tokens[k][2] == "{":
                    depth += 1
                elif tokens[k][2] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
            here = {n[2][1:] for n in names if n[2][1:] in bound
                    and _connected(selects, start, n[2][1:], in_projection_of=None)}
            if here:
                block_end = tokens[k][1]
                edits.append((start, block_end, _values_rewrite(
                    prologue, sparql, sparql[start:block_end], {n: bound[n] for n in here})))
            i = k + 1
            continue
        if upper in ("GROUP BY", "ORDER BY"):
            clause, paren = upper.split()[0].lower(), 0
        elif tok == "(":
            paren += 1
        elif tok == ")":
            paren -= 1
        elif tok in "{}" or upper in ("HAVING", "LIMIT", "OFFSET", "SELECT", "WHERE"):
            clause = ""
        elif tok[0] in "?$" and tok[1:] in bound:
            name = tok[1:]
            projection = next((s for s in selects if s.start < start < s.body), None)
            if _connected(selects, start, name, in_projection_of=projection):
                previous = tokens[i - 1][2].upper() if i else ""
                if previous == "AS":
                    raise BadRequest(f"?{name} is assigned by the query (AS ?{name}) and cannot "
                                     "be bound")
                term = terms[name]
                owner = _chain(selects, start)
                kept = bool(owner) and name in provided[id(owner[0])]
                if projection is not None and _paren_depth(tokens, projection, i) == 0:
                    text = tok if kept else f"({_projected(bound[name], term)} AS ?{name})"
                elif clause in ("group", "order") and paren == 0:
                    text = tok if kept else f"({term})"
                else:
                    text = term
                edits.append((start, end, text))
        i += 1
    out, last = [], 0
    for start, end, text in sorted(edits):
        out.append(sparql[last:start])
        out.append(text)
        last = end
    out.append(sparql[last:])
    return "".join(out)


def _paren_depth(tokens: list[tuple[int, int, str]], sel: _Select, index: int) -> int:
    depth = 0
    for start, _end, tok in tokens:
        if start <= sel.start:
            continue
        if start >= tokens[index][0]:
            break
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
    return depth
