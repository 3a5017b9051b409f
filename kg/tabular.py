"""Reading the spreadsheets stewards submit: CSV as Indonesian Excel exports it, and XLSX.

A :class:`Table` holds the header and the data rows as text, each row numbered as a spreadsheet
shows it (the header is row 1). CSV files may be comma- or semicolon-separated and encoded as UTF-8
(with or without a byte-order mark) or Windows-1252. Anything that is not a readable table raises
:class:`kg.errors.BadRequest` with a one-line message.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass

from kg.errors import BadRequest

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv"

#: Most bytes an XLSX workbook may unpack to (a 50 000-row sheet is about 20 MB unpacked).
MAX_XLSX_UNPACKED = 256 * 1024 * 1024

#: Magic numbers of files that are certainly not CSV text.
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0", b"\x1f\x8b",
                 b"PK\x03\x04")


@dataclass(frozen=True)
class Table:
    """A header and its rows; ``rows`` pairs the spreadsheet row number with the cell texts."""

    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    delimiter: str | None = None
    encoding: str | None = None

    def records(self):
        """``(row number, {header: text})`` for every data row."""
        for number, cells in self.rows:
            yield number, dict(zip(self.headers, cells))


def is_xlsx(data: bytes) -> bool:
    return data.startswith(b"PK\x03\x04")


def read_table(data: bytes, *, xlsx: bool | None = None) -> Table:
    """Read CSV or XLSX bytes (XLSX when ``xlsx`` is true, or when None and the bytes are a zip)."""
    if not data or not data.strip():
        raise BadRequest("the file is empty")
    if xlsx is None:
        xlsx = is_xlsx(data)
    return read_xlsx(data) if xlsx else read_csv(data)


# -- CSV ------------------------------------------------------------------------------------------

def decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the encoding it was read with (UTF-8, UTF-8 with BOM, cp1252)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise BadRequest("the file is not a spreadsheet: it is neither UTF-8 nor Windows-1252 text"
                         ) from None


def sniff_delimiter(header_line: str) -> str:
    """``;`` when the header line has more semicolons than commas, else ``,`` (tabs win over both)."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(data: bytes) -> Table:
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data[:4096]:
        raise BadRequest("the file is not a spreadsheet: expected CSV text or an XLSX workbook")
    text, encoding = decode(data)
    if any(ord(ch) < 32 and ch not in "\r\n\t" for ch in text[:4096]):
        raise BadRequest("the file is not a spreadsheet: it holds binary data, not CSV text")
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, tuple[str, ...]]] = []
    headers: tuple[str, ...] | None = None
    try:
        for cells in reader:
            number = len(rows) + 2 if headers is not None else 1
            if headers is None:
                if not any(c.strip() for c in cells):
                    continue  # blank lines before the header
                headers = tuple(c.strip() for c in cells)
                continue
            if not any(c.strip() for c in cells):
                rows.append((number, ()))  # keep numbering; skipped below
                continue
            rows.append((number, _fit(cells, len(headers), number)))
    except csv.Error as exc:
        raise BadRequest(f"the CSV file is damaged or truncated near line {reader.line_num}: {exc}"
                         ) from None
    if headers is None:
        raise BadRequest("the file is empty")
    return Table(_check_headers(headers), tuple(r for r in rows if r[1]), delimiter, encoding)


def _fit(cells: list[str], width: int, row: int) -> tuple[str, ...]:
    """A row's cells, one per header: short rows padded with empty cells; a value beyond the last
    header is refused (it belongs to no column, and dropping it would lose it silently)."""
    cells = [c.strip() for c in cells]
    beyond = next((i for i, c in enumerate(cells[width:], start=width) if c), None)
    if beyond is not None:
        raise BadRequest(f"row {row} has a value ({cells[beyond][:40]!r}) in column {beyond + 1}, "
                         f"beyond the {width} column(s) named in the header row: name the column "
                         "or remove the value")
    cells = cells[:width]
    if len(cells) < width:
        cells += [""] * (width - len(cells))
    return tuple(cells)


def _check_headers(headers: tuple[str, ...]) -> tuple[str, ...]:
    named = [h for h in headers if h]
    if not named:
        raise BadRequest("the first row holds no column headers")
    seen: set[str] = set()
    for h in named:
        if h.lower() in seen:
            raise BadRequest(f"the column header {h!r} appears twice in row 1")
        seen.add(h.lower())
    return headers


# -- XLSX -----------------------------------------------------------------------------------------

def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _check_unpacked_size(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook whose parts would unpack to more than :data:`MAX_XLSX_UNPACKED` bytes.

    The sizes come from the zip's central directory; zipfile (and so openpyxl) never decompresses
    a part past its declared size (a part that does not end there fails its CRC check), so a
    declared size cannot understate what is read.
    """
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_XLSX_UNPACKED:
        raise BadRequest(f"the XLSX workbook would unpack to {unpacked:,} bytes; at most "
                         f"{MAX_XLSX_UNPACKED:,} are accepted (split it into smaller files)")


def read_xlsx(data: bytes) -> Table:
    import openpyxl  # deferred: only XLSX input needs it

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise BadRequest("the XLSX workbook is damaged or truncated (not a complete zip archive)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            _check_unpacked_size(archive)  # before anything is decompressed: zip bombs
            bad = archive.testzip()
        if "xl/workbook.xml" not in names:
            raise BadRequest("the file is a zip archive but not an XLSX workbook")
        if bad is not None:
            raise BadRequest(f"the XLSX workbook is damaged (corrupt part {bad})")
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except BadRequest:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for broken files
        raise BadRequest(f"the XLSX workbook cannot be read: {type(exc).__name__}: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        headers: tuple[str, ...] | None = None
        rows: list[tuple[int, tuple[str, ...]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            if headers is None:
                if number != 1 or not any(cells):
                    raise BadRequest("row 1 of the first sheet must hold the column headers")
                while cells and not cells[-1]:
                    cells.pop()
                headers = tuple(cells)
                continue
            if any(cells):
                rows.append((number, _fit(cells, len(headers), number)))
    finally:
        workbook.close()
    if headers is None:
        raise BadRequest("the workbook's first sheet is empty")
    return Table(_check_headers(headers), tuple(rows), None, None)


def write_xlsx(headers: list[str], rows: list[list[str]], *, notes: list[str] | None = None) -> bytes:
    """A one-sheet workbook with ``headers`` in row 1 (bold) and ``rows`` below, as text cells."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "data"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column in sheet.columns:
        column[0].number_format = "@"
        sheet.column_dimensions[column[0].column_letter].width = max(12, len(str(column[0].value)) + 2)
    if notes:
        info = workbook.create_sheet("petunjuk")
        for line in notes:
            info.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
