"""Reading an uploaded file into a table of raw cells, naming every row and column that cannot be read.

Nothing here knows what the columns mean: a cell stays a string (CSV) or what the spreadsheet stored (XLSX:
numbers, dates, text). Row numbers are the ones a spreadsheet shows: the header is row 1."""

import csv
import io
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# A file is kept in the session between its preview and its commit, and each row runs the write services
# in the preview and again in the commit, each in one request: a paid disbursement costs about 160 queries
# (four services), so 200 rows keep a request to a few seconds.
MAX_BYTES = 1_000_000
MAX_ROWS = 200
MAX_UNPACKED_BYTES = 30 * MAX_BYTES

XLSX_MAGIC = b"PK\x03\x04"
# A cell already reported as unreadable: the column readers skip it rather than report it twice.
UNREADABLE = object()
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class RowError:
    """One thing wrong with a file: its row (1 is the header; 0 the file as a whole), column and message."""

    row: int
    column: str
    message: str


@dataclass
class Table:
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _is_blank(cells) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _csv_cells(content: bytes):
    """The rows of a UTF-8 CSV file, comma- or semicolon-separated.

    Bytes that are not UTF-8 are decoded as lone surrogates (which valid UTF-8 never yields), so the reader
    can still split the line and the cell that holds them can be named."""
    if content.startswith(UTF8_BOM):
        content = content[len(UTF8_BOM) :]
    text = content.decode("utf-8", errors="surrogateescape")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield number, None
            return
        yield number, cells


def _unpacked_size(content: bytes) -> int:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return 0  # not a zip after all: openpyxl says so below


def _xlsx_cells(content: bytes):
    from openpyxl import load_workbook  # openpyxl is heavy; only an XLSX upload needs it

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
            if number > MAX_ROWS + 1 + 1000:  # far past the limit: stop reading trailing blank rows
                return
    finally:
        workbook.close()


def _has_surrogates(value) -> bool:
    return isinstance(value, str) and any("\udc80" <= char <= "\udcff" for char in value)


def read_table(content: bytes) -> Table:
    """The header and the data rows of an uploaded CSV or XLSX file (format told by its content)."""
    table = Table()
    if not content:
        table.errors.append(RowError(0, "", _("The file is empty.")))
        return table
    if len(content) > MAX_BYTES:
        table.errors.append(
            RowError(0, "", _("The file is larger than %(limit)s KB.") % {"limit": MAX_BYTES // 1000})
        )
        return table
    if content.startswith(XLSX_MAGIC):
        if _unpacked_size(content) > MAX_UNPACKED_BYTES:
            # A small upload can inflate to gigabytes (a zip bomb): it is judged by what it unpacks to.
            table.errors.append(
                RowError(
                    0,
                    "",
                    _("The workbook is larger than %(limit)s MB once unpacked.")
                    % {"limit": MAX_UNPACKED_BYTES // 1_000_000},
                )
            )
            return table
        cells = _xlsx_cells(content)
    else:
        cells = _csv_cells(content)
    try:
        _fill(table, cells)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        # openpyxl's ways of saying "not a workbook it can read"
        table.header, table.rows = [], []
        table.errors.append(RowError(0, "", _("The file is not a readable CSV or XLSX file.")))
    return table


def _fill(table: Table, cells) -> None:
    data_rows = 0
    for number, row in cells:
        if row is None:
            table.errors.append(RowError(number, "", _("This row cannot be read as CSV (a stray quote?).")))
            return
        if not table.header:
            if _is_blank(row):
                continue
            _read_header(table, number, row)
            if table.errors:
                return
            continue
        if _is_blank(row):
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            table.errors.append(
                RowError(number, "", _("A file holds at most %(limit)s rows.") % {"limit": MAX_ROWS})
            )
            return
        _read_row(table, number, row)
    if not table.header:
        table.errors.append(RowError(0, "", _("The file is empty.")))
    elif not table.rows and not table.errors:
        table.errors.append(RowError(0, "", _("The file has a header but no rows.")))


def _read_header(table: Table, number: int, row: list) -> None:
    names = ["" if cell is None else str(cell).strip().lower() for cell in row]
    while names and not names[-1]:
        names.pop()
    for position, name in enumerate(names, start=1):
        if _has_surrogates(name):
            table.errors.append(
                RowError(number, str(position), _("The header is not UTF-8 text; save the file as UTF-8."))
            )
    table.header = names


def _read_row(table: Table, number: int, row: list) -> None:
    values = {}
    for position, cell in enumerate(row):
        name = table.header[position] if position < len(table.header) else ""
        if isinstance(cell, str):
            cell = cell.strip()
        if not name:
            if not _is_blank([cell]):
                table.errors.append(RowError(number, "", _("This row has more cells than the header.")))
            continue
        if _has_surrogates(cell):
            table.errors.append(
                RowError(number, name, _("This cell is not UTF-8 text; save the file as UTF-8."))
            )
            cell = UNREADABLE
        values[name] = cell
    table.rows.append((number, values))
