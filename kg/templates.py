"""Downloadable submission templates, made from the CSVW metadata of each kind.

The CSV and XLSX templates have the column names in row 1 (Indonesian) and one example row with
real codes (Wedoro 35.15.18.2013, KBLI 15201); the XLSX adds a sheet explaining every column in
Indonesian and English.
"""

from __future__ import annotations

import csv
import io
import json

from kg import csvw, tabular

XLSX_MEDIA_TYPE = tabular.XLSX_MEDIA_TYPE


def _columns(kind: str) -> tuple[csvw.TableSchema, list[str], list[str]]:
    schema = csvw.table_schema(kind)
    names = [c.name or "" for c in schema.data_columns]
    example = [str(schema.example.get(name, "")) for name in names]
    return schema, names, example


def csv_template(kind: str) -> bytes:
    """The CSV template: UTF-8 with a byte-order mark (so Excel reads it as UTF-8), comma-separated."""
    _, names, example = _columns(kind)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerow(example)
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def xlsx_template(kind: str) -> bytes:
    schema, names, example = _columns(kind)
    notes = [f"{schema.title.get('id', kind)} / {schema.title.get('en', kind)} "
             f"(versi templat {schema.version})",
             "Baris 1 berisi nama kolom; isi data mulai baris 2. Row 1 holds the column names; "
             "data start in row 2.", ""]
    for column in schema.data_columns:
        need = "wajib / required" if column.required else "opsional / optional"
        notes.append(f"{column.name}: {column.title('id')} — {column.title('en')} ({need})")
    return tabular.write_xlsx(names, [example], notes=notes)


def metadata_json(kind: str) -> bytes:
    """The CSVW metadata describing the template's columns, as shipped."""
    return csvw.metadata_path(kind).read_bytes()


def metadata(kind: str) -> dict:
    return json.loads(metadata_json(kind))
