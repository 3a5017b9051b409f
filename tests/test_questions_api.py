"""The canned questions on the web: catalogue, OpenAPI, JSON/CSV answers, paging, errors, hostile input."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import assert_problem
from openapi_spec_validator import validate as validate_openapi

from kg.settings import Settings
from kg.aggregates import rebuild as rebuild_aggregates
from kg.sharing import rebuild as rebuild_sharing
from kg import search_index
from kg.store import EmbeddedStore

BASE = "https://w3id.org/klaster/id/"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "questions.ttl"
NAMES = ("technology-partners", "skill-partners", "financing-partners", "supply-partners", "linkages",
         "corridor", "specialisation", "oversupply-risk", "sentra-in-region", "interventions", "search", "unreached-specialised")


@pytest.fixture
def store() -> EmbeddedStore:
    store = EmbeddedStore()
    store.load(FIXTURE.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    rebuild_aggregates(store, BASE)  # as seeding does: the LQ questions read them
    rebuild_sharing(store, BASE)  # and the shared-item counts the partner questions read
    store.add([ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(f"{BASE}graph/inferred"))
               for t in search_index.index(store)])  # the label index, as reasoning makes it
    return store


@pytest.fixture
def app(tmp_path: Path, store: EmbeddedStore):
    from service import create_app

    settings = Settings(store=str(tmp_path / "unused"), max_rows=1000, query_workers=1, threads=2)
    app = create_app(settings, store=store)
    app.config["TESTING"] = True
    yield app
    app.extensions["klaster"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def fingerprint(store: EmbeddedStore) -> tuple[int, str]:
    lines = sorted(str(q) for q in store.quads(all_graphs=True))
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_catalogue_lists_every_question(client) -> None:
    response = client.get("/api")
    assert response.status_code == 200
    assert response.content_type.startswith("text/html")
    page = response.get_data(as_text=True)
    for name in NAMES:
        assert f'id="{name}"' in page
    # Indonesian description before the English one
    section = page[page.index('id="technology-partners"'):]
    assert section.index("Sentra lain yang memakai teknologi") < section.index("Other sentra that use the same")
    assert "/api/technology-partners?sentra=id%3Asentra%2Fwedoro" in page
    assert "Sentra sandal Wedoro" in page  # the values_query filled the sentra list


def test_openapi_is_valid_and_complete(client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    validate_openapi(doc)
    for name in NAMES:
        operation = doc["paths"][f"/api/{name}"]["get"]
        assert {"application/json", "text/csv"} <= set(operation["responses"]["200"]["content"])
        assert "400" in operation["responses"]
    params = {p["name"]: p for p in doc["paths"]["/api/specialisation"]["get"]["parameters"]}
    assert params["commodity"]["required"] is True
    assert params["level"]["schema"]["enum"] == ["kabupaten_kota", "kecamatan"]
    assert params["threshold"]["schema"] == {"type": "number", "minimum": 0, "default": 1}
    assert {"limit", "offset", "page", "format"} <= set(params)
    partner = {p["name"]: p for p in doc["paths"]["/api/technology-partners"]["get"]["parameters"]}
    assert partner["limit"]["schema"]["default"] == 20


@pytest.mark.parametrize("name", NAMES)
def test_every_question_answers_its_example(client, app, name: str) -> None:
    question = app.extensions["klaster.questions"][name]
    response = client.get(f"/api/{name}", query_string=question.example_call())
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) >= {"query", "params", "columns", "rows", "truncated", "sparql"}
    assert body["query"] == name and body["rows"]
    end = body["offset"] + body["limit"] + 1
    if question.page_units:  # the text that ran: the listed units bound in place of the sub-select
        assert "VALUES (" in body["sparql"] and "  # klaster:page-units" not in body["sparql"]
    else:
        assert body["sparql"] == question.sparql_for_page(end, given=body["bindings"].keys())
    for row in body["rows"]:
        assert set(row) == set(body["columns"])
        assert all(v is None or isinstance(v, (str, int, float, bool)) for v in row.values())


def test_json_answer_shape(client) -> None:
    body = client.get("/api/technology-partners?sentra=id:sentra/wedoro").get_json()
    assert body["params"] == {"sentra": f"{BASE}sentra/wedoro", "limit": 20, "offset": 0}
    assert body["bindings"] == {"sentra": f"<{BASE}sentra/wedoro>"}
    assert body["rows"][0]["partner"] == f"{BASE}sentra/kampung-sepatu-kota-mojokerto"
    assert isinstance(body["rows"][0]["score"], float) and body["rows"][0]["shared_count"] == 2
    assert body["truncated"] is False and body["next"] is None


@pytest.mark.parametrize("how", ["accept", "format"])
def test_csv(client, how: str) -> None:
    if how == "accept":
        response = client.get("/api/sentra-in-region?region=35.15", headers={"Accept": "text/csv"})
    else:
        response = client.get("/api/sentra-in-region?region=35.15&format=csv",
                              headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    # ordered by the sentra IRI (id:sentra/tanggulangin < id:sentra/wedoro), not by label
    assert [r["sentra_label"] for r in rows] == ["Sentra tas Tanggulangin", "Sentra sandal Wedoro"]
    assert rows[0]["kabupaten_kota"] == "Kabupaten Sidoarjo"


def test_csv_booleans_and_numbers(client) -> None:
    text = client.get("/api/specialisation?commodity=15201&format=csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    sidoarjo = next(r for r in rows if r["region_label"] == "Kabupaten Sidoarjo")
    assert sidoarjo["specialised"] == "true" and sidoarjo["x_ir"] == "600"
    assert float(sidoarjo["lq"]) == pytest.approx(1029600 / 819000)


def test_paging_with_next_link(client) -> None:
    first = client.get("/api/sentra-in-region?region=35&limit=3")
    body = first.get_json()
    assert body["truncated"] is True and len(body["rows"]) == 3
    assert body["next"].endswith("offset=3") and "region=35" in body["next"]
    assert first.headers["Link"] == f'<{body["next"]}>; rel="next"'
    second = client.get(body["next"]).get_json()
    assert second["offset"] == 3
    assert not {r["sentra"] for r in second["rows"]} & {r["sentra"] for r in body["rows"]}


@pytest.mark.parametrize(("url", "parameter"), [
    ("/api/technology-partners", "sentra"),                                   # missing required
    ("/api/technology-partners?sentra=id:sentra/wedoro&colour=red", "colour"),  # unknown
    ("/api/technology-partners?sentra=not%20an%20iri", "sentra"),             # wrong type
    ("/api/technology-partners?sentra=id:sentra/wedoro&limit=many", "limit"),
    ("/api/technology-partners?sentra=id:sentra/wedoro&limit=0", "limit"),
    ("/api/technology-partners?sentra=id:sentra/wedoro&province=99.9", "province"),
    ("/api/specialisation?commodity=1520", "commodity"),
    ("/api/specialisation?commodity=15201&level=desa", "level"),
    ("/api/specialisation?commodity=15201&threshold=1e400", "threshold"),
    ("/api/search?q=a", "q"),
    ("/api/interventions", "sentra"),                                        # one of sentra/region
    ("/api/sentra-in-region?region=35&region=33", "region"),                 # given twice
    ("/api/sentra-in-region?region=35&page=130179652296292848", "page"),     # found by the fuzz test
    ("/api/sentra-in-region?region=35&offset=99999999999999999999999", "offset"),
])
def test_bad_parameters_are_400_naming_the_parameter(client, url: str, parameter: str) -> None:
    body = assert_problem(client.get(url), 400)
    assert body["parameter"] == parameter
    assert parameter in body["detail"]


def test_unknown_question_is_404(client) -> None:
    assert_problem(client.get("/api/no-such-question"), 404)


def test_unknown_format_is_406(client) -> None:
    assert_problem(client.get("/api/search?q=sepatu&format=xml"), 406)
    assert_problem(client.get("/api/search?q=sepatu", headers={"Accept": "image/png"}), 406)


HOSTILE = [
    '"', "'", "\"'", "}", "{", "} ; DROP ALL ; {", "'} ; DROP ALL ; {'", '"} ; DROP ALL ; {"',
    "> } ; DROP ALL ; { <", "http://x/> } ; DROP ALL ; { <http://x/", "id:a> ; DROP ALL",
    "line\nbreak", "line\r\nbreak", "\x00", "tab\there", "a" * 100_000, "é" * 50_000, "日本語",
    "sepatu\u202e", "🙂🙂", "35.15 ; DROP ALL", "javascript:alert(1)", "<script>alert(1)</script>",
    "?sentra", "$sentra", "1; DELETE WHERE { ?s ?p ?o }", "-1", "1e999", "NaN", "Infinity",
    "urn:x", "id:../../etc/passwd", "%00", "%7D%20DROP%20ALL",
]
TARGETS = [("technology-partners", "sentra"), ("technology-partners", "province"),
           ("specialisation", "commodity"), ("specialisation", "threshold"), ("specialisation", "level"),
           ("sentra-in-region", "region"), ("search", "q"), ("oversupply-risk", "from_year"),
           ("corridor", "kawasan"), ("interventions", "region")]
REQUIRED = {"technology-partners": {"sentra": "id:sentra/wedoro"}, "specialisation": {"commodity": "15201"},
            "sentra-in-region": {"region": "35"}, "search": {"q": "sepatu"}, "oversupply-risk": {},
            "corridor": {"kawasan": "id:kawasan/ratubangnegoro"}, "interventions": {}}


def test_hostile_values_never_500_and_never_change_the_store(client, store) -> None:
    before = fingerprint(store)
    statuses = []
    for name, param in TARGETS:
        for value in HOSTILE:
            query = {**REQUIRED[name], param: value}
            response = client.get(f"/api/{name}", query_string=query)
            statuses.append(response.status_code)
            assert response.status_code in (200, 400), (name, param, value[:40], response.status_code)
            if response.status_code == 400:
                assert assert_problem(response, 400)["parameter"] in (param, "sentra")
            else:
                body = response.get_json()
                assert isinstance(body["rows"], list)
    assert 400 in statuses and 200 in statuses
    assert fingerprint(store) == before
    # the store still answers as before
    assert client.get("/api/sentra-in-region?region=35.15").get_json()["rows"]


def test_hostile_text_is_bound_as_a_literal(client) -> None:
    """Search text with SPARQL syntax in it is just text: it matches nothing, and runs."""
    response = client.get("/api/search", query_string={"q": '"} ; DROP ALL ; { "'})
    assert response.status_code == 200
    body = response.get_json()
    assert body["rows"] == []
    assert json.loads(json.dumps(body["bindings"]))["q"].startswith('"\\"}')


def test_questions_through_worker_processes(tmp_path: Path) -> None:
    """On an on-disk store the queries run in the executor's worker processes (with the timeout);
    the bindings travel with them."""
    from service import create_app

    disk = EmbeddedStore(tmp_path / "disk")
    disk.load(FIXTURE.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    rebuild_aggregates(disk, BASE)
    rebuild_sharing(disk, BASE)
    settings = Settings(store=str(tmp_path / "disk"), query_workers=1, threads=2, query_timeout=20.0)
    app = create_app(settings, store=disk)
    try:
        client = app.test_client()
        body = client.get("/api/technology-partners?sentra=id:sentra/wedoro&limit=1").get_json()
        assert [r["partner_label"] for r in body["rows"]] == ["Kampung Sepatu Kota Mojokerto"]
        assert body["truncated"] is True
        lq = client.get("/api/specialisation?commodity=15201").get_json()["rows"][0]["lq"]
        assert lq == pytest.approx(1716 / 910)
    finally:
        app.extensions["klaster"].close()
        disk.close()
