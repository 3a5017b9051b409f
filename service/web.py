"""Pages for people: ``/`` (home), ``/questions``, ``/questions/{name}``, ``/search``.

A thin shell like :mod:`service.api`: the question pages run the same
:func:`kg.questions.run_question`, render its answer with :func:`kg.table_view.view_table` and draw
pictures from :mod:`kg.pictures` / :mod:`kg.picture_layout` as inline SVG (no JavaScript, nothing
fetched from elsewhere). Bahasa Indonesia first; ``?lang=en`` (or ``id``) switches and is
remembered in the ``klaster_lang`` cookie. Resource links point to the Linked Data pages
``/id/{path}``.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, g, render_template, request

from kg import picture_layout as layout
from kg import pictures
from kg.choices import choices_for
from kg.errors import BadRequest, KlasterError, NotFound
from kg.params import normalise
from kg.questions import Question, ResultTable, _paging, get_question, run_question
from kg.table_view import local_href, view_table
from service.web_text import LANGUAGES, column_header, translator

bp = Blueprint("web", __name__, template_folder="templates")

LANG_COOKIE = "klaster_lang"
#: Query arguments of the pages that are not parameters of a question.
PAGE_ARGS = ("lang", "colour")
#: Most rows fetched to draw a picture when the shown page of the answer is only a part of it.
PICTURE_ROWS = 2000


def current_lang() -> str:
    """The page language: ``?lang=``, else the cookie, else Indonesian."""
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        return wanted
    cookie = request.cookies.get(LANG_COOKIE)
    return cookie if cookie in LANGUAGES else "id"


@bp.before_app_request
def _language() -> None:
    g.lang = current_lang()


@bp.after_app_request
def _remember_language(response: Response) -> Response:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES and request.cookies.get(LANG_COOKIE) != wanted:
        response.set_cookie(LANG_COOKIE, wanted, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@bp.app_context_processor
def _page_helpers() -> dict[str, Any]:
    lang = getattr(g, "lang", "id")

    def switch_url() -> str:
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
        args.append(("lang", "en" if lang == "id" else "id"))
        return f"{request.script_root}{request.path}?{urlencode(args)}"

    def resource_href(iri: str) -> str:
        return local_href(iri, base_iri=_state().settings.base_iri, root=request.script_root)

    return {"lang": lang, "t": translator(lang), "switch_url": switch_url,
            "resource_href": resource_href, "kind_colours": pictures.KIND_COLOURS,
            "column_header": lambda name: column_header(name, lang)}


def _state():
    return current_app.extensions["klaster"]


def _questions() -> dict[str, Question]:
    from service.api import EXTENSION
    return current_app.extensions[EXTENSION]


def _description(question: Question, lang: str) -> str:
    return question.description_en if lang == "en" else question.description_id


# -- home and search -------------------------------------------------------------------------------

@bp.get("/")
def home() -> str:
    state = _state()
    lang = g.lang
    questions = _questions()
    map_picture = layout.sentra_map(pictures.places(state.store).values(), lang=lang)
    kawasan = ()
    corridor = questions.get("corridor")
    if corridor is not None and corridor.param("kawasan") is not None:
        found = choices_for(state.store, corridor, corridor.param("kawasan"), questions.values(),
                            base_iri=state.settings.base_iri)
        kawasan = found.options if found else ()
    search = questions.get("search")
    types = search.param("type").enum if search is not None and search.param("type") else ()
    return render_template("home.html", questions=list(questions.values()), map=map_picture,
                           kawasan=kawasan, search_types=types, describe=_description)


@bp.get("/search")
def search() -> tuple[str, int] | str:
    state = _state()
    questions = _questions()
    question = get_question(questions, "search")
    q = request.args.get("q", "").strip()
    kind = request.args.get("type", "").strip()
    view = error = None
    status = 200
    if q:
        raw = {"q": q, **({"type": kind} if kind else {}), "limit": "100"}
        try:
            table = run_question(state.store, question, raw, base_iri=state.settings.base_iri,
                                 max_rows=state.settings.max_rows)
            view = _view(table)
        except KlasterError as exc:
            error, status = exc.detail, exc.status
    types = question.param("type").enum if question.param("type") else ()
    return render_template("question_search.html", q=q, kind=kind, view=view, error=error,
                           search_types=types), status


# -- questions -------------------------------------------------------------------------------------

@bp.get("/questions")
def question_list() -> str:
    return render_template("questions.html", questions=list(_questions().values()),
                           describe=_description)


def _view(table: ResultTable):
    t = translator(g.lang)
    return view_table(table, base_iri=_state().settings.base_iri, root=request.script_root,
                      yes=t("yes"), no=t("no"))


def _same(param, a: object, b: object, base_iri: str) -> bool:
    try:
        return normalise(param, a, base_iri) == normalise(param, b, base_iri)
    except BadRequest:
        return str(a) == str(b)


def _form(question: Question, raw: dict[str, str], ran: bool) -> list[dict[str, Any]]:
    """One entry per parameter: its value in the form, its choices and which one is selected."""
    state = _state()
    base = state.settings.base_iri
    wanted = {p.name for p in question.params if p.required} | set(question.require_one_of[:1])
    fields = []
    for param in question.params:
        if param.name in ("offset", "page"):
            continue
        if ran:
            value = raw.get(param.name, "")
        else:
            value = param.example if param.name in wanted else param.default
            value = "" if value is None else str(value)
        try:
            choices = choices_for(state.store, question, param, _questions().values(), base_iri=base)
        except KlasterError:
            choices = None
        selected = ""
        if choices is not None and value != "":
            selected = next((v for v, _ in choices.options if _same(param, v, value, base)), "")
        fields.append({"param": param, "value": value, "choices": choices, "selected": selected,
                       "required": param.required})
    return fields


@bp.get("/questions/<name>")
def question_page(name: str) -> tuple[str, int]:
    questions = _questions()
    try:
        question = get_question(questions, name)
    except NotFound as exc:
        return render_template("question_missing.html", detail=exc.detail), 404
    raw = {k: v for k, v in request.args.items() if k not in PAGE_ARGS and v.strip() != ""}
    needs_input = any(p.required for p in question.params) or bool(question.require_one_of)
    ran = bool(raw) or not needs_input
    table = whole = view = error = None
    status = 200
    if ran:
        try:
            table, whole = _run(question, raw)
            view = _view(table)
        except KlasterError as exc:
            error, status = exc.detail, exc.status
    wanted_colour = request.args.get("colour")
    colour_by = wanted_colour if wanted_colour in ("kabupaten", "province") else None
    figures = _figures(question, whole, colour_by) if whole is not None else {}
    colour_by = figures.get("colour_by", colour_by or "kabupaten")
    api_args = dict(raw)
    next_url = None
    if table is not None and table.truncated:
        args = {k: v for k, v in raw.items() if k not in ("offset", "page")}
        args["offset"] = str(table.offset + table.limit)
        next_url = f"{request.script_root}{request.path}?{urlencode(args)}"
    return render_template(
        "question.html", question=question, description=_description(question, g.lang),
        fields=_form(question, raw, ran), ran=ran, table=table, view=view, error=error,
        figures=figures, colour_by=colour_by, next_url=next_url,
        json_url=f"{request.script_root}/api/{question.name}?{urlencode({**api_args, 'format': 'json'})}",
        csv_url=f"{request.script_root}/api/{question.name}?{urlencode({**api_args, 'format': 'csv'})}",
        colour_url=lambda by: f"{request.script_root}{request.path}?{urlencode({**raw, 'colour': by})}"), status


#: Questions whose picture shows the whole answer, not only the page in the table.
WHOLE_PICTURE = ("linkages", "corridor", "specialisation", "sentra-in-region")


def _run(question: Question, raw: dict[str, str]) -> tuple[ResultTable, ResultTable]:
    """(the page to show, the answer to draw). A question drawn whole runs once with up to
    :data:`PICTURE_ROWS` rows and the page is cut from that, so a long answer is not computed twice."""
    state = _state()
    base, max_rows = state.settings.base_iri, state.settings.max_rows
    if question.name in WHOLE_PICTURE:
        limit, offset = _paging(question, dict(raw), base, max_rows)
        whole_rows = min(PICTURE_ROWS, max_rows)
        if offset + limit <= whole_rows:
            full_raw = {k: v for k, v in raw.items() if k not in ("limit", "offset", "page")}
            full = run_question(state.store, question, {**full_raw, "limit": str(whole_rows)},
                                base_iri=base, max_rows=max_rows)
            rows = full.rows[offset:offset + limit]
            page = dataclasses.replace(
                full, rows=rows, offset=offset, limit=limit,
                truncated=len(full.rows) > offset + limit or full.truncated,
                params={**full.params, "limit": limit, "offset": offset})
            return page, full
    table = run_question(state.store, question, raw, base_iri=base, max_rows=max_rows)
    return table, table


def _network(build, colour_by: str | None) -> tuple[pictures.Network, str]:
    """``build(colour_by)``; without a choice, by kabupaten/kota unless there are more of them than
    distinct colours, then by province."""
    network = build(colour_by or "kabupaten")
    if colour_by is None and len(network.groups()) >= len(pictures.GROUP_COLOURS):
        return build("province"), "province"
    return network, colour_by or "kabupaten"


def _figures(question: Question, table: ResultTable, colour_by: str | None) -> dict[str, Any]:
    """The pictures of one answer: a network, an LQ chart, a unit-count chart, a map."""
    store = _state().store
    lang = g.lang
    figures: dict[str, Any] = {}
    try:
        name = question.name
        sentra = table.params.get("sentra")
        if name in pictures.PARTNER_KINDS or name == "linkages":
            places = pictures.places(store)
            records = table.records()
            if name == "linkages":
                network, figures["colour_by"] = _network(
                    lambda by: pictures.network_from_linkages(str(sentra), records, places,
                                                              colour_by=by, lang=lang), colour_by)
            else:
                network, figures["colour_by"] = _network(
                    lambda by: pictures.network_from_partners(name, str(sentra), records, places,
                                                              colour_by=by, lang=lang), colour_by)
            figures["network"] = layout.layout_network(network)
            figures["units"] = layout.units_chart(pictures.sentra_units(store, str(sentra)))
        elif name == "corridor":
            places = pictures.places(store)
            records = table.records()
            network, figures["colour_by"] = _network(
                lambda by: pictures.network_from_corridor(records, places, colour_by=by, lang=lang),
                colour_by)
            figures["network"] = layout.layout_network(network)
            members = {n.id for n in network.nodes}
            figures["map"] = layout.sentra_map([p for p in places.values() if p.iri in members], lang=lang)
        elif name == "specialisation":
            threshold = float(table.params.get("threshold") or 1)  # type: ignore[arg-type]
            bars = pictures.lq_bars(table.records())
            figures["lq"] = layout.lq_chart(bars, threshold=threshold)
            figures["threshold"] = threshold
            figures["units"] = layout.units_chart(
                pictures.industry_units(store, str(table.params["commodity"])))
        elif name == "sentra-in-region":
            places = pictures.places(store)
            found = {r.get("sentra") for r in table.records()}
            figures["map"] = layout.sentra_map([p for p in places.values() if p.iri in found], lang=lang)
        elif name == "interventions" and sentra:
            figures["units"] = layout.units_chart(pictures.sentra_units(store, str(sentra)))
    except KlasterError:
        current_app.logger.exception("picture for %s failed", question.name)
        return {}
    if "units" in figures and not figures["units"].bars:
        del figures["units"]
    return figures
