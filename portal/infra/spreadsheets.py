"""Spreadsheets in and out, safely.

Out: every CSV and Excel file the portal serves is written here. Text a provider typed (an
organisation's name, a KPI reason, a person's name) must never become a formula in the
spreadsheet of the civil servant who opens the export: OWASP's rule for CSV injection
(https://owasp.org/www-community/attacks/CSV_Injection) is applied to every text cell, and an
Excel cell made from text is always a text cell. `defusedcsv` (3.0.0) was considered and not
taken: it leaves a tab or carriage return at the start of a cell alone, does nothing about
Excel files, and the rule itself is a few lines.

In: every CSV or Excel file the portal reads comes through `read_rows`, which refuses a file
beyond the limits below *before* parsing it, so a few kilobytes cannot make a worker build a
sheet of a million rows (a 4.9 KB file declaring the range A1:XFD1048576 once took 1.2 GB).
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import IO, TYPE_CHECKING
from xml.parsers import expat

from portal.errors import ServiceError

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- writing ---------------------------------------------------------------------------------

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and
# Google Sheets: OWASP's list.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Text that is only a number ("-12.50", "1.234,56") is no formula and stays as it is, so a
# negative amount is still a number for whoever opens the file.
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:[.,][0-9]+)*")
# Excel set to Dutch opens a CSV split on ';', its list separator. Our comma-separated fields
# then no longer start where their quotes do, so the quotes group nothing: a ';' or a line
# break inside a value starts a new cell there, which needs the apostrophe as well.
_CELL_BREAK = re.compile(r"(?<=[;\n\r])(?=[=+\-@\t\r])")
# Characters that XML 1.0, and so an .xlsx file, cannot hold (openpyxl refuses the whole file).
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text)


def neutralise(text: str) -> str:
    """OWASP's rule: a text cell that a spreadsheet would read as a formula gets a leading
    apostrophe, which spreadsheets hide and which makes them show the text as it is."""
    text = _CELL_BREAK.sub("'", text)
    return "'" + text if is_formula_like(text) else text


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value  # a real number stays a number
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV file (UTF-8, comma-separated) of the rows, the header being the first."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return out.getvalue().encode("utf-8")


class XlsxBuilder:
    """An Excel workbook written row by row. Text always lands in a text cell: openpyxl would
    otherwise store a string starting with '=' as a formula, and '#N/A' as an error. Text that
    looks like a formula is also marked with Excel's quote prefix, so editing the cell keeps it
    text.

    Every sheet's header row (its first bold row) stays in view when scrolling (frozen panes
    below it) and carries an auto-filter over the table under it, so every Excel file the portal
    makes can be filtered and scrolled the same way. A write-only sheet writes its panes before
    its first row, so the rows of a sheet are kept until the sheet is done."""

    def __init__(self) -> None:
        from openpyxl import Workbook

        self._workbook = Workbook(write_only=True)
        self._sheet: WriteOnlyWorksheet | None = None
        self._rows: list[list[object]] = []
        self._header_row: int | None = None  # 1-based
        self._width = 0

    def sheet(self, title: str) -> WriteOnlyWorksheet:
        self._flush()
        self._sheet = self._workbook.create_sheet(title)
        self._rows, self._header_row, self._width = [], None, 0
        return self._sheet

    def row(
        self,
        values: Sequence[object] = (),
        *,
        bold: bool = False,
        number_formats: Mapping[int, str] | None = None,
    ) -> None:
        """`number_formats` maps a 1-based column to an Excel number format. The first bold row
        is the sheet's header."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        sheet = self.sheet("Blad1") if self._sheet is None else self._sheet
        cells: list[object] = []
        for column, value in enumerate(values, start=1):
            if isinstance(value, str):
                text = _NOT_IN_XML.sub("", value)
                cell = WriteOnlyCell(sheet, value=text)
                cell.data_type = "s"
                if is_formula_like(text):
                    cell.quotePrefix = True
            elif value is None or isinstance(value, int | float | Decimal | date | time):
                cell = WriteOnlyCell(sheet)
                cell.value = value  # numbers and dates stay numbers and dates
            else:
                raise TypeError(f"not a spreadsheet value: {value!r}")
            if bold:
                cell.font = Font(bold=True)
            if number_formats and column in number_formats:
                cell.number_format = number_formats[column]
            cells.append(cell)
        self._rows.append(cells)
        if bold and self._header_row is None:
            self._header_row = len(self._rows)
        if self._header_row is not None:
            self._width = max(self._width, len(cells))

    def _flush(self) -> None:
        from openpyxl.utils import get_column_letter

        if self._sheet is None:
            return
        if self._header_row is not None and self._width:
            self._sheet.freeze_panes = f"A{self._header_row + 1}"
            self._sheet.auto_filter.ref = (  # type: ignore[attr-defined]
                f"A{self._header_row}:{get_column_letter(self._width)}{len(self._rows)}"
            )
        for cells in self._rows:
            self._sheet.append(cells)
        self._rows = []

    def getvalue(self) -> bytes:
        if self._sheet is None:
            self.sheet("Blad1")
        self._flush()
        out = io.BytesIO()
        self._workbook.save(out)
        return out.getvalue()


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What an uploaded spreadsheet may be. The imports (KPI figures, tariffs) need tens to
    hundreds of rows of a handful of columns; these leave ample room and keep one upload far
    below 50 MB of worker memory and a second of work."""

    max_bytes: int = 5 * 1024 * 1024  # the file as uploaded
    max_rows: int = 5_000  # rows with a value, the header included
    max_columns: int = 50  # columns with a value
    max_cell_chars: int = 10_000
    # Empty or only formatted rows and columns are skipped, but cost time and memory too: a file
    # that reaches beyond these, or whose sheet says it does, is refused even where it is empty.
    max_extent_rows: int = 50_000
    max_extent_columns: int = 1_000
    # An .xlsx file is a ZIP archive: checked from its directory before anything is unpacked.
    max_entries: int = 100  # Excel writes about a dozen parts
    max_directory_bytes: int = 64 * 1024
    max_unpacked_bytes: int = 50 * 1024 * 1024
    max_ratio: int = 100  # unpacked size over packed size; Excel's own files stay under 20
    # Elements of one XML part, counted while streaming through it before openpyxl reads it.
    # A worksheet at the row and column limits has about 500,000; the other parts (styles,
    # workbook, relations), which openpyxl reads whole, have a few hundred.
    max_sheet_elements: int = 1_000_000
    max_other_elements: int = 100_000


LIMITS = Limits()


def read_rows(file: IO[bytes], limits: Limits = LIMITS) -> list[list[str]]:
    """The first sheet of an Excel file (.xlsx), or a CSV file (UTF-8; comma, semicolon or
    tab), as rows of text, every row as wide as the widest. Refuses with a ServiceError whose
    message says the limit when the file is beyond `limits`, or cannot be read."""
    content = file.read(limits.max_bytes + 1)
    if len(content) > limits.max_bytes:
        raise ServiceError("spreadsheet_too_big", mb=limits.max_bytes // (1024 * 1024))
    rows = _read_xlsx(content, limits) if content[:2] == b"PK" else _read_csv(content, limits)
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((len(row) for row in rows), default=0)
    return [row + [""] * (width - len(row)) for row in rows]


def _too_many_rows(limits: Limits) -> ServiceError:
    return ServiceError("spreadsheet_too_many_rows", rows=limits.max_rows)


def _too_many_columns(limits: Limits) -> ServiceError:
    return ServiceError("spreadsheet_too_many_columns", columns=limits.max_columns)


def _unpacks_too_big(limits: Limits) -> ServiceError:
    return ServiceError(
        "spreadsheet_unpacks_too_big",
        mb=limits.max_unpacked_bytes // (1024 * 1024),
        ratio=limits.max_ratio,
    )


def _check_row(number: int, cells: list[str], limits: Limits) -> list[str]:
    """The row cut to the column limit; refused if it has a value beyond the limits."""
    if any(len(cell) > limits.max_cell_chars for cell in cells):
        raise ServiceError("spreadsheet_cell_too_long", chars=limits.max_cell_chars)
    if any(cell.strip() for cell in cells[limits.max_columns :]):
        raise _too_many_columns(limits)
    cells = cells[: limits.max_columns]
    while cells and not cells[-1].strip():
        cells.pop()
    if cells and number > limits.max_rows:
        raise _too_many_rows(limits)
    return cells


def _read_csv(content: bytes, limits: Limits) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ServiceError("import_unreadable") from error
    first_line = text[:4096].splitlines()[0] if text else ","
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            first_line, delimiters=",;\t"
        )
    except csv.Error:  # one column, or no delimiter at all: the header check says what is wrong
        dialect = csv.excel
    lines = text.splitlines()
    if len(lines) > limits.max_extent_rows:
        raise _too_many_rows(limits)
    if any(line.count(dialect.delimiter) >= limits.max_extent_columns for line in lines):
        raise _too_many_columns(limits)  # checked before csv makes a list of the fields
    rows: list[list[str]] = []
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            cells = _check_row(number, row, limits)
            if number <= limits.max_rows:
                rows.append(cells)
    except csv.Error as error:
        if "field larger than field limit" in str(error):  # csv's own limit, 131,072
            raise ServiceError("spreadsheet_cell_too_long", chars=limits.max_cell_chars) from error
        raise ServiceError("import_unreadable") from error
    return rows


def _read_xlsx(content: bytes, limits: Limits) -> list[list[str]]:
    _check_archive(content, limits)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # The <dimension> the file declares is not believed: with it a read-only sheet pads
        # every row to the declared width and adds empty rows up to the declared height.
        sheet.reset_dimensions()
        rows = []
        for number, values in enumerate(
            sheet.iter_rows(
                min_row=1,
                max_row=limits.max_rows,
                max_col=limits.max_columns,
                values_only=True,
            ),
            start=1,
        ):
            cells = ["" if value is None else _cell_text(value) for value in values]
            rows.append(_check_row(number, cells, limits))
        workbook.close()
    except ServiceError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ServiceError("import_unreadable") from error
    return rows


def _cell_text(value: object) -> str:
    if isinstance(value, float | Decimal):
        return f"{Decimal(str(value)):.2f}"
    return str(value)


def _check_archive(content: bytes, limits: Limits) -> None:
    """Refuse a ZIP bomb from the archive's directory, before a byte is unpacked. Python's
    zipfile never unpacks more than the size an entry declares (a lie fails its checksum), so
    the declared sizes bound the work."""
    # The end record says how many entries and how big a directory, before zipfile reads it.
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 22 - 0xFFFF))
    if end < 0 or len(content) < end + 22:
        raise ServiceError("import_unreadable")
    entries, directory_size = struct.unpack_from("<HL", content, end + 10)
    if entries > limits.max_entries or directory_size > limits.max_directory_bytes:
        raise _unpacks_too_big(limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except Exception as error:  # zipfile raises several kinds for a broken archive
        raise ServiceError("import_unreadable") from error
    with archive:
        members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
        packed = sum(member.compress_size for member in members)
        if (
            len(members) > limits.max_entries
            or unpacked > limits.max_unpacked_bytes
            or unpacked > limits.max_ratio * max(packed, 1)
        ):
            raise _unpacks_too_big(limits)
        # Every part, whatever its name: the content types, not the names, tell openpyxl what
        # a part is. A part that is no XML (an image) stops the scan at its first bytes.
        for member in members:
            try:
                with archive.open(member) as part:
                    _scan_part(part, limits)
            except ServiceError:
                raise
            except Exception as error:  # bad XML, a wrong checksum, encryption
                if member.filename.endswith((".xml", ".rels")):
                    raise ServiceError("import_unreadable") from error


def _column_number(reference: str) -> int:
    number = 0
    for letter in reference:
        if not "A" <= letter <= "Z":
            break
        number = number * 26 + ord(letter) - 64
    return number


def _row_number(reference: str) -> int:
    digits = reference.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    if not digits.isdigit():
        return 0
    return int(digits) if len(digits) < 10 else 10**10  # beyond any sheet, without int()'s cost


class _PartScan:
    """Streams through one XML part with expat, keeping nothing but counters. A worksheet may
    have no value beyond the row and column limits and nothing at all (its declared range
    included) beyond the extent limits; no part may have a DTD (entity expansion) or more
    elements than its kind needs."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.budget = limits.max_other_elements
        self.elements = 0
        self.worksheet = False
        self.row = self.column = self.cells_in_row = self.rows = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        tag = name.rpartition(" ")[2]
        self.elements += 1
        if self.elements == 1:
            self.worksheet = tag == "worksheet"
            if tag in ("worksheet", "sst"):  # the shared strings: openpyxl keeps them all
                self.budget = self.limits.max_sheet_elements
        if self.elements > self.budget:
            raise _unpacks_too_big(self.limits)
        if not self.worksheet:
            return
        if tag == "dimension":  # the range the sheet says it uses
            last = attributes.get("ref", "").rpartition(":")[2]
            if _row_number(last) > self.limits.max_extent_rows:
                raise _too_many_rows(self.limits)
            if _column_number(last) > self.limits.max_extent_columns:
                raise _too_many_columns(self.limits)
        elif tag == "row":
            self.row = _row_number(attributes.get("r", "")) or self.row + 1
            self.column = self.cells_in_row = 0
            self.rows += 1
            if max(self.row, self.rows) > self.limits.max_extent_rows:
                raise _too_many_rows(self.limits)
        elif tag == "c":
            reference = attributes.get("r", "")
            self.column = _column_number(reference) if reference else self.column + 1
            self.cells_in_row += 1
            if max(self.column, self.cells_in_row) > self.limits.max_extent_columns:
                raise _too_many_columns(self.limits)
        elif tag in ("v", "is"):  # the cell holds a value
            if self.column > self.limits.max_columns:
                raise _too_many_columns(self.limits)
            if self.row > self.limits.max_rows:
                raise _too_many_rows(self.limits)


def _refuse_dtd(*_args: object) -> None:
    raise ServiceError("import_unreadable")


def _scan_part(part: IO[bytes], limits: Limits) -> None:
    scan = _PartScan(limits)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = scan.start
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    while chunk := part.read(64 * 1024):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
