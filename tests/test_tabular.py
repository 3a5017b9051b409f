"""Reading spreadsheets (kg.tabular) and the declarative CSVW mapping (kg.csvw)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg import csvw, tabular, templates
from kg.errors import BadRequest, NotFound
from kg.namespaces import KL, XSD

BASE = "https://w3id.org/klaster/id/"


@pytest.mark.parametrize("data, delimiter, encoding", [
    ("a,b\r\n1,2\r\n".encode(), ",", "utf-8"),
    ("a;b\n1;2\n".encode(), ";", "utf-8"),
    (b"\xef\xbb\xbfa;b\n1;2\n", ";", "utf-8-sig"),
    ("a;b\nCaf\u00e9;2\n".encode("cp1252"), ";", "cp1252"),
])
def test_csv_variants_are_read(data, delimiter, encoding):
    table = tabular.read_table(data)
    assert table.headers == ("a", "b")
    assert table.delimiter == delimiter and table.encoding == encoding
    assert [n for n, _ in table.rows] == [2]


def test_rows_are_numbered_as_a_spreadsheet_shows_them():
    table = tabular.read_table(b"a,b\n1,2\n,\n3,\"x\ny\"\n")
    assert [n for n, _ in table.rows] == [2, 4]
    assert table.rows[1][1] == ("3", "x\ny")


def test_short_rows_are_padded():
    assert tabular.read_table(b"a,b,c\n1\n").rows == ((2, ("1", "", "")),)


def test_long_rows_keep_every_value_or_are_refused():
    # empty cells beyond the headers (trailing delimiters) are dropped; a value there belongs to
    # no column and is refused, naming the row, rather than lost (Hypothesis found b"!\r!,")
    assert tabular.read_table(b"!\r!,").rows == ((2, ("!",)),)
    assert tabular.read_table(b"a,b\r\n1,2,,\r\n").rows == ((2, ("1", "2")),)
    with pytest.raises(BadRequest, match="row 3 has a value .'x'. in column 3"):
        tabular.read_table(b"a,b\n1,2\n3,4,x\n")


@pytest.mark.parametrize("data, message", [
    (b"", "empty"), (b"  \n\n", "empty"),
    (b"%PDF-1.4 binary", "not a spreadsheet"),
    (b"a,b\x00\x01\x02", "not a spreadsheet"),
    (b"a,b\n1,\"open", "truncated"),
    (b"a,a\n1,2\n", "appears twice"),
    (b"PK\x03\x04garbage", "damaged or truncated"),
])
def test_unreadable_input_gets_one_clear_line(data, message):
    with pytest.raises(BadRequest, match=message) as caught:
        tabular.read_table(data)
    assert "\n" not in caught.value.detail


def test_xlsx_round_trip_keeps_numbers_as_spreadsheet_text():
    data = tabular.write_xlsx(["kode", "jumlah", "lintang"], [["35.15.18.2013", 600, -7.3536]])
    table = tabular.read_table(data)
    assert table.headers == ("kode", "jumlah", "lintang")
    assert table.rows == ((2, ("35.15.18.2013", "600", "-7.3536")),)


def test_zip_that_is_not_a_workbook():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(BadRequest, match="not an XLSX workbook"):
        tabular.read_table(buffer.getvalue())


@pytest.mark.parametrize("text, datatype, expected", [
    ("-7,3536", "decimal", "-7.3536"), ("-7.3536", "decimal", "-7.3536"),
    ("1.250.000,50", "decimal", "1250000.50"), ("1.250.000", "decimal", "1250000.0"),
    ("150", "decimal", "150.0"), ("tujuh", "decimal", "tujuh"),
    ("1.250", "integer", "1250"), ("600", "integer", "600"), ("600.0", "integer", "600"),
    ("banyak", "integer", "banyak"), ("ya", "boolean", "true"), ("Tidak", "boolean", "false"),
    ("mungkin", "boolean", "mungkin"), ("2024", "gYear", "2024"),
])
def test_numbers_as_indonesian_excel_writes_them(text, datatype, expected):
    assert csvw.normalise(text, XSD + datatype) == expected


def test_uri_templates():
    assert csvw.expand("{+base}wilayah/{kode}", {"kode": "35.15.18.2013"}, BASE) == BASE + "wilayah/35.15.18.2013"
    assert csvw.expand("{+base}sentra/{id}", {"id": "a b/c"}, BASE) == BASE + "sentra/a%20b%2Fc"
    assert csvw.expand("{+url}", {"url": "https://x.id/a?b=1"}, BASE) == "https://x.id/a?b=1"
    assert csvw.expand("{+base}sentra/{id}", {"id": ""}, BASE) is None


def test_every_kind_has_metadata_with_indonesian_titles():
    for kind in csvw.KINDS:
        meta = templates.metadata(kind)
        assert meta["@context"][0] == "http://www.w3.org/ns/csvw"
        schema = csvw.table_schema(kind)
        assert schema.required_columns
        for column in schema.data_columns:
            assert column.titles["id"] and column.titles["en"], (kind, column.name)
    with pytest.raises(NotFound):
        csvw.table_schema("nothing")


def test_the_sentra_row_maps_declaratively():
    schema = csvw.table_schema("sentra")
    mapped = csvw.map_row(schema, 2, dict(schema.example), BASE)
    triples = {(t.subject.value, t.predicate.value, t.object.value) for t in mapped.triples}
    sentra = BASE + "sentra/wedoro"
    assert (sentra, KL + "locatedIn", BASE + "wilayah/35.15.18.2013") in triples
    assert (sentra, KL + "industryCode", BASE + "kbli/2020/15201") in triples
    assert (sentra, KL + "needsInput", BASE + "produk/spons") in triples
    geometry = BASE + "sentra/wedoro/geometri"
    assert (geometry, "http://www.opengis.net/ont/geosparql#asWKT", "POINT(112.7589 -7.3536)") in triples
    observation = BASE + "observasi/wedoro/2003"
    assert (observation, KL + "unitCount", "600") in triples
    assert (observation, KL + "refSentra", sentra) in triples
    assert not any(p == KL + "workerCount" for _, p, _ in triples)  # empty cell, no triple
    assert mapped.about == sentra and set(mapped.subjects) == {sentra, geometry, observation}


def test_value_maps_and_missing_identifier():
    schema = csvw.table_schema("linkage")
    mapped = csvw.map_row(schema, 7, {"sentra_asal": "a", "sentra_tujuan": "b", "jenis": "teknologi",
                                      "status": "teramati"}, BASE)
    assert mapped.about == csvw.fallback_subject(7)
    objects = {t.predicate.value: t.object for t in mapped.triples}
    assert objects[KL + "linkageKind"] == ox.NamedNode(KL + "TechnologyLinkage")
    assert objects[KL + "linkageStatus"] == ox.NamedNode(KL + "Observed")


def test_templates_have_indonesian_headers_and_an_example_row():
    csv_text = templates.csv_template("sentra").decode("utf-8-sig")
    header, example = csv_text.splitlines()[:2]
    assert header.startswith("id_sentra,nama,kode_wilayah,kbli")
    assert "35.15.18.2013" in example and "15201" in example
    table = tabular.read_table(templates.xlsx_template("sentra"))
    assert table.headers[:3] == ("id_sentra", "nama", "kode_wilayah")
    assert dict(zip(table.headers, table.rows[0][1]))["kode_wilayah"] == "35.15.18.2013"
    assert json.loads(templates.metadata_json("statistics"))["tableSchema"]["columns"]
