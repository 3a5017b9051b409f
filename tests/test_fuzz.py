"""Property tests: the CSV mapping and parameter binding never fail with anything but BadRequest,
and schemathesis finds no 500 and no response that breaks its own schema in /api/openapi.json."""

from __future__ import annotations

from decimal import Decimal

import csv
import io

import pyoxigraph as ox
import pytest
import schemathesis
from hypothesis import HealthCheck, example, given, settings, strategies as st

from helpers import ADMIN_TOKEN

from kg.errors import BadRequest
from kg.params import PARAM_TYPES, Param, normalise, to_term
from kg.tabular import read_table
from kg.validate import read_submission

BASE = "https://w3id.org/klaster/id/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
HEADER = ["id_sentra", "nama", "kode_wilayah", "kbli", "versi_kbli", "produk", "lintang", "bujur",
          "tahun_data", "jumlah_unit", "jumlah_tenaga_kerja", "sumber", "ilustratif"]
GOOD = ["wedoro-baru", "Sentra Sandal Wedoro", "35.15.18.2013", "15201", "2020", "sandal",
        "-7,3536", "112,7589", "2024", "120", "300", "https://example.org/x", "tidak"]

cell_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(column=st.sampled_from(range(len(HEADER))), text=cell_text)
def test_any_cell_maps_or_is_a_bad_request(column: int, text: str) -> None:
    row = list(GOOD)
    row[column] = text
    try:
        submission = read_submission(csv_bytes([row]), filename="fuzz.csv", base_iri=BASE)
    except BadRequest:
        return
    assert all(isinstance(t, ox.Triple) for t in submission.triples)
    if HEADER[column] == "nama" and text.strip() and "\x00" not in text:
        labels = {t.object.value for t in submission.triples if t.predicate.value == RDFS_LABEL}
        assert text.strip() in labels  # the name round-trips exactly (trimmed)


@settings(max_examples=100, deadline=None)
@given(cells=st.lists(st.lists(cell_text, min_size=0, max_size=15), min_size=1, max_size=4))
def test_any_table_maps_or_is_a_bad_request(cells: list[list[str]]) -> None:
    try:
        read_submission(csv_bytes(cells), filename="fuzz.csv", kind="sentra", base_iri=BASE)
    except BadRequest:
        pass


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=300))
@example(data=b"!\r!,")  # found by this test: a row longer than the header row
def test_any_bytes_read_as_a_table_or_a_bad_request(data: bytes) -> None:
    for xlsx in (None, False, True):
        try:
            table = read_table(data, xlsx=xlsx)
        except BadRequest:
            continue
        assert all(len(cells) == len(table.headers) for _, cells in table.rows)


@settings(max_examples=100, deadline=None)
@given(number=st.decimals(min_value=-10**9, max_value=10**9, places=4, allow_nan=False))
def test_numbers_round_trip_with_a_decimal_comma(number) -> None:
    row = list(GOOD)
    row[HEADER.index("lintang")] = format(number, "f").replace(".", ",")
    submission = read_submission(csv_bytes([row]), filename="fuzz.csv", base_iri=BASE)
    values = {t.object.value for t in submission.triples
              if t.predicate.value.endswith(("#lat", "lat", "latitude"))}
    assert any(float(v) == float(number) for v in values), values


PARAMS = [Param("p", kind, enum=("a", "b") if kind == "enum" else ()) for kind in PARAM_TYPES]


@settings(max_examples=400, deadline=None)
@given(param=st.sampled_from(PARAMS), raw=st.one_of(st.text(max_size=60), st.from_regex(
    r"[0-9.+-]{1,12}|https?://[a-z./%-]{1,20}|id:[a-z/]{1,10}", fullmatch=True)))
def test_any_parameter_value_is_a_term_or_a_bad_request(param: Param, raw: str) -> None:
    try:
        value = normalise(param, raw, BASE)
    except BadRequest:
        return
    term = to_term(param, value)
    assert isinstance(term, (ox.NamedNode, ox.Literal))
    # the term is bindable: pyoxigraph accepts it as a substitution
    store = ox.Store()
    result = store.query("SELECT ?p WHERE {}", substitutions={ox.Variable("p"): term})
    bound = next(iter(result))["p"]
    if isinstance(term, ox.Literal) and term.datatype.value.endswith("#decimal"):
        # pyoxigraph hands decimals back in canonical form ("0.0" → "0"): same value, same type
        assert bound.datatype == term.datatype and Decimal(bound.value) == Decimal(term.value)
    else:
        assert bound == term


# -- schemathesis against the OpenAPI description of the canned questions ----------------------------
@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_has_no_server_errors_and_keeps_its_schema(case) -> None:
    response = case.call(headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    case.validate_response(response, checks=(schemathesis.checks.not_a_server_error,
                                             schemathesis.checks.response_schema_conformance))
