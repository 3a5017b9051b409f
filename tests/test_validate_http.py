"""``POST /validate`` and ``GET /templates/...`` through the Flask test client."""

from __future__ import annotations

import io

import pytest
import rdflib
from flask import Flask

from kg.settings import Settings
from validation_helpers import BASE, CORPUS, corpus_store

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def client():
    from service import errors, stewards

    app = Flask(__name__)
    app.extensions["klaster"] = {"store": corpus_store(), "settings": Settings(base_iri=BASE)}
    errors.register(app)
    app.register_blueprint(stewards.bp)
    return app.test_client()


def post(client, name, content_type, **kwargs):
    return client.post("/validate", data=(CORPUS / name).read_bytes(), content_type=content_type, **kwargs)


def test_json_report_names_row_column_value_and_counts(client):
    response = post(client, "region-unknown.csv", "text/csv")
    assert response.status_code == 200 and response.is_json
    body = response.get_json()
    assert body["conforms"] is False
    assert body["counts"] == {"violation": 1, "warning": 0, "info": 0}
    (finding,) = body["findings"]
    assert (finding["row"], finding["column"], finding["value"], finding["severity"]) == \
        (2, "kode_wilayah", "35.15.18.9999", "violation")
    assert "tidak ada dalam daftar wilayah" in finding["message"]  # Indonesian by default
    assert response.headers["Content-Language"] == "id"


def test_language_follows_accept_language(client):
    response = post(client, "region-unknown.csv", "text/csv",
                    headers={"Accept-Language": "en-GB,en;q=0.9,id;q=0.5"})
    assert "is not in the Kemendagri region list" in response.get_json()["findings"][0]["message"]
    assert response.headers["Content-Language"] == "en"
    response = post(client, "region-unknown.csv", "text/csv", headers={"Accept-Language": "id, en;q=0.8"})
    assert "tidak ada" in response.get_json()["findings"][0]["message"]


def test_good_submission_conforms(client):
    body = post(client, "good-sentra.csv", "text/csv").get_json()
    assert body["conforms"] is True and body["kind"] == "sentra" and body["findings"] == []


@pytest.mark.parametrize("name, content_type", [
    ("good-sentra.xlsx", XLSX), ("good-sentra.ttl", "text/turtle"),
    ("good-semicolon-cp1252.csv", "text/csv"), ("region-unknown.jsonld", "application/ld+json"),
])
def test_every_format_is_accepted(client, name, content_type):
    response = post(client, name, content_type)
    assert response.status_code == 200
    assert response.get_json()["conforms"] is (not name.startswith("region"))


def test_multipart_upload_with_kind(client):
    data = {"file": (io.BytesIO((CORPUS / "statistics-tenfold.csv").read_bytes()), "stat.csv"),
            "kind": "statistics"}
    response = client.post("/validate", data=data, content_type="multipart/form-data")
    body = response.get_json()
    assert body["kind"] == "statistics" and body["conforms"] is True
    assert body["counts"]["warning"] == 1


def test_turtle_report_is_a_shacl_validation_report(client):
    response = post(client, "region-level.csv", "text/csv", headers={"Accept": "text/turtle"})
    assert response.mimetype == "text/turtle"
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    report = graph.value(None, rdflib.RDF.type, sh.ValidationReport)
    assert graph.value(report, sh.conforms).toPython() is False
    result = graph.value(report, sh.result)
    assert graph.value(result, sh.sourceConstraintComponent) == sh.OrConstraintComponent
    assert {m.language for m in graph.objects(result, sh.resultMessage)} == {"id", "en"}


def test_html_report_is_a_printable_page(client):
    response = post(client, "few-units.csv", "text/csv", headers={"Accept": "text/html"})
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<table>" in page and "PP 29/2018" in page and "@media print" in page


@pytest.mark.parametrize("name, fragment", [
    ("empty.csv", "empty"), ("truncated.xlsx", "damaged or truncated"),
    ("not-a-spreadsheet.csv", "not a spreadsheet"),
])
def test_unreadable_input_is_a_problem_not_a_report(client, name, fragment):
    response = post(client, name, "text/csv" if name.endswith(".csv") else XLSX)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert fragment in response.get_json()["detail"]


def test_unknown_kind_and_media_type(client):
    assert client.post("/validate?kind=apa", data=b"a,b\n1,2\n", content_type="text/csv").status_code == 400
    response = client.post("/validate", data=b"%PDF", content_type="application/pdf")
    assert response.status_code == 415


@pytest.mark.parametrize("kind", ["sentra", "enterprise", "linkage", "intervention", "statistics"])
def test_templates_download(client, kind):
    csv_response = client.get(f"/templates/{kind}.csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    assert "attachment" in csv_response.headers["Content-Disposition"]
    xlsx_response = client.get(f"/templates/{kind}.xlsx")
    assert xlsx_response.mimetype == XLSX and xlsx_response.data.startswith(b"PK")
    meta = client.get(f"/templates/{kind}.csv-metadata.json")
    assert meta.mimetype == "application/csvm+json"
    assert meta.get_json()["tableSchema"]["columns"]


def test_the_sentra_template_example_validates(client):
    """The example row uses real codes (Wedoro 35.15.18.2013, KBLI 15201); its id is already stored."""
    data = client.get("/templates/sentra.xlsx").data
    body = client.post("/validate", data=data, content_type=XLSX).get_json()
    problems = {(f["column"], f["constraint"].rsplit("#")[-1]) for f in body["findings"]}
    assert problems == {("id_sentra", "MaxCountConstraintComponent")}  # wedoro exists in the store


def test_unknown_template_is_404(client):
    assert client.get("/templates/nothing.csv").status_code == 404
    assert client.get("/templates/sentra.pdf").status_code == 404
