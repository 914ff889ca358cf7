"""portal/infra/spreadsheets.py on its own: what the exports write (no formula, ever) and
what the imports read (nothing beyond the limits, refused before it is parsed). The routes are
tested in tests/views/test_spreadsheet_imports.py and tests/test_spreadsheet_exports.py."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from portal.infra.spreadsheets import LIMITS, Limits, XlsxBuilder, csv_bytes, neutralise, read_rows
from portal.services import ServiceError
from tests.support import spreadsheets as bombs

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1", "'+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r'=1"),
        # A Dutch Excel splits on ';' and line breaks even inside our quotes.
        ("Zorg;=1+1", "Zorg;'=1+1"),
        ("Zorg\n@SUM(A1)", "Zorg\n'@SUM(A1)"),
        # Plain numbers and ordinary text stay as they are.
        ("-12.50", "-12.50"),
        ("-1.234,56", "-1.234,56"),
        ("Jeugdzorg De Linde B.V.", "Jeugdzorg De Linde B.V."),
        ("Noord-Limburg; -", "Noord-Limburg; -"),
        ("", ""),
    ],
)
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(text: str, written: str) -> None:
    assert neutralise(text) == written


def test_csv_keeps_numbers_numbers_and_text_text() -> None:
    written = csv_bytes(
        [["naam", "bedrag", "aantal", "datum", "leeg"], ["-1+1", Decimal("-1.50"), -3, None, ""]]
    )
    rows = list(csv.reader(io.StringIO(written.decode())))
    assert rows[1][:3] == ["'-1+1", "-1.50", "-3"] and rows[1][3:] == ["", ""]
    assert csv_bytes([[date(2027, 3, 1), True, 2.5]]) == b"2027-03-01,True,2.5\r\n"


def test_excel_cells_made_of_text_are_text() -> None:
    builder = XlsxBuilder()
    builder.sheet("Blad")
    builder.row(["kop", "bedrag"], bold=True)
    builder.row([*HOSTILE, "#N/A", "a\x01b", Decimal("-1.50"), -3], number_formats={9: "0.00"})
    content = builder.getvalue()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert not re.search(rb"<f[ >]", archive.read("xl/worksheets/sheet1.xml"))
    cells = list(load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2))[0]
    assert [c.data_type for c in cells] == ["s"] * 8 + ["n", "n"]
    # Excel's quote prefix: editing the cell does not turn it into a formula either.
    assert [c.quotePrefix for c in cells[:8]] == [True] * 6 + [False, False]
    assert [c.value for c in cells[6:]] == ["#N/A", "ab", -1.5, -3]  # XML cannot hold \x01


SMALL = Limits(
    max_rows=3,
    max_columns=3,
    max_cell_chars=8,
    max_extent_rows=6,
    max_extent_columns=6,
    max_bytes=20_000,
)


def _xlsx(rows: list[list[object]], **tweaks: bytes) -> bytes:
    """A workbook; `dimension=...` replaces the range its worksheet declares."""
    content = bombs.xlsx(rows)
    if "dimension" in tweaks:
        parts = bombs.parts_of(content)
        parts[bombs.SHEET] = re.sub(
            rb'<dimension ref="[^"]*"', b'<dimension ref="' + tweaks["dimension"] + b'"',
            parts[bombs.SHEET],
        )  # fmt: skip
        content = bombs.zip_of(parts)
    return content


def _with_parts(content: bytes, extra: dict[str, bytes]) -> bytes:
    return bombs.zip_of({**bombs.parts_of(content), **extra})


def _styled_beyond_the_columns() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.active.append(["a", "b"])
    workbook.active.cell(row=1, column=5).font = Font(bold=True)  # formatted, empty
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&b;</t></si>'
    b"</sst>"
)


def _sheet_data(rows: bytes) -> bytes:
    """The worksheet of a one-cell workbook with other <sheetData>."""
    sheet = bombs.parts_of(bombs.xlsx([["a"]]))[bombs.SHEET]
    head, rest = sheet.split(b"<sheetData>")
    return head + b"<sheetData>" + rows + b"</sheetData>" + rest.split(b"</sheetData>")[1]


# The file is built when its case runs; the expected rows, or the refusal's code.
CASES = [
    pytest.param(
        lambda: b"kpi,periode,waarde\nX,2024-K1,3\n",
        SMALL,
        [["kpi", "periode", "waarde"], ["X", "2024-K1", "3"]],
        id="csv, comma",
    ),
    pytest.param(
        lambda: "\ufeffa;b\n1;2\n".encode(),
        SMALL,
        [["a", "b"], ["1", "2"]],
        id="csv, semicolon and BOM",
    ),
    pytest.param(lambda: b"a\tb\n1\t2\n", SMALL, [["a", "b"], ["1", "2"]], id="csv, tab"),
    pytest.param(
        lambda: b"a,b,c\n1\n\n\n",
        SMALL,
        [["a", "b", "c"], ["1", "", ""]],
        id="csv, rows as wide as the widest",
    ),
    pytest.param(
        lambda: b"a\n1\n2\n\n,,,\n", SMALL, [["a"], ["1"], ["2"]], id="csv, blank beyond the rows"
    ),
    pytest.param(lambda: b"a,b,,,\n", SMALL, [["a", "b"]], id="csv, empty columns beyond"),
    pytest.param(
        lambda: b"a\n1\n2\n3\n", SMALL, "spreadsheet_too_many_rows", id="csv, too many rows"
    ),
    pytest.param(
        lambda: b"a\n" + b"\n" * 6, SMALL, "spreadsheet_too_many_rows", id="csv, too many lines"
    ),
    pytest.param(
        lambda: b"a" + b"," * 6 + b"\n",
        SMALL,
        "spreadsheet_too_many_columns",
        id="csv, a row wider than the extent",
    ),
    pytest.param(
        lambda: b"a,b,c,d\n", SMALL, "spreadsheet_too_many_columns", id="csv, too many columns"
    ),
    pytest.param(
        lambda: b"a,123456789\n", SMALL, "spreadsheet_cell_too_long", id="csv, cell too long"
    ),
    pytest.param(
        lambda: b"a," + b"x" * 140_000,
        LIMITS,
        "spreadsheet_cell_too_long",
        id="csv, beyond csv's own field limit",
    ),
    pytest.param(lambda: b"a," * 10_001, SMALL, "spreadsheet_too_big", id="csv, too big"),
    pytest.param(
        lambda: "a,é\n".encode("latin-1"), SMALL, "import_unreadable", id="csv, not UTF-8"
    ),
    pytest.param(
        lambda: _xlsx([["a", "b"], [1, 100.5]]), SMALL, [["a", "b"], ["1", "100.50"]], id="xlsx"
    ),
    pytest.param(
        lambda: _xlsx([["a", "b"], [1, 2]], dimension=b"A1:E5"),
        SMALL,
        [["a", "b"], ["1", "2"]],
        id="xlsx, declared range not believed",
    ),
    pytest.param(
        lambda: _xlsx([["a"]], dimension=b"A1:A7"),
        SMALL,
        "spreadsheet_too_many_rows",
        id="xlsx, declared range beyond the extent's rows",
    ),
    pytest.param(
        lambda: _xlsx([["a"]], dimension=b"A1:G1"),
        SMALL,
        "spreadsheet_too_many_columns",
        id="xlsx, declared range beyond the extent's columns",
    ),
    pytest.param(
        lambda: _with_parts(bombs.xlsx([["a"]]), {bombs.SHEET: _sheet_data(b"<row/>" * 7)}),
        SMALL,
        "spreadsheet_too_many_rows",
        id="xlsx, empty rows beyond the extent",
    ),
    pytest.param(
        lambda: bombs.dimension_bomb(),
        LIMITS,
        "spreadsheet_too_many_rows",
        id="xlsx, the 4.9 KB dimension bomb",
    ),
    pytest.param(
        lambda: bombs.wide_or_long_xlsx(4, 1),
        SMALL,
        "spreadsheet_too_many_rows",
        id="xlsx, too many rows",
    ),
    pytest.param(
        lambda: bombs.wide_or_long_xlsx(1, 4),
        SMALL,
        "spreadsheet_too_many_columns",
        id="xlsx, too many columns",
    ),
    pytest.param(
        lambda: _styled_beyond_the_columns(),
        SMALL,
        [["a", "b"]],
        id="xlsx, formatted cells beyond the columns",
    ),
    pytest.param(
        lambda: _with_parts(
            bombs.xlsx([["a"]]), {bombs.SHEET: _sheet_data(b"<row>" + b"<c/>" * 7 + b"</row>")}
        ),
        SMALL,
        "spreadsheet_too_many_columns",
        id="xlsx, a row wider than the extent",
    ),
    pytest.param(
        lambda: bombs.zip_bomb(),
        LIMITS,
        "spreadsheet_unpacks_too_big",
        id="xlsx, the 1 GB ZIP bomb",
    ),
    pytest.param(
        lambda: bombs.zip_bomb(3),
        LIMITS,
        "spreadsheet_unpacks_too_big",
        id="xlsx, packed too tightly",
    ),
    pytest.param(
        lambda: _with_parts(bombs.xlsx([["a"]]), {f"x/{n}.bin": b"" for n in range(100)}),
        LIMITS,
        "spreadsheet_unpacks_too_big",
        id="xlsx, too many parts",
    ),
    pytest.param(
        lambda: bombs.xlsx([["a"]]),
        Limits(max_other_elements=10),
        "spreadsheet_unpacks_too_big",
        id="xlsx, a part with too many elements",
    ),
    pytest.param(
        lambda: _with_parts(bombs.xlsx([["a"]]), {"xl/sharedStrings.xml": BILLION_LAUGHS}),
        LIMITS,
        "import_unreadable",
        id="xlsx, entities (billion laughs)",
    ),
    pytest.param(lambda: b"PK\x03\x04 kapot", LIMITS, "import_unreadable", id="xlsx, broken"),
]


@pytest.mark.parametrize(("build", "limits", "expected"), CASES)
def test_the_reader(
    build: Callable[[], bytes], limits: Limits, expected: list[list[str]] | str
) -> None:
    content = build()
    if isinstance(expected, str):
        with pytest.raises(ServiceError) as refusal:
            read_rows(io.BytesIO(content), limits)
        assert refusal.value.code == expected
    else:
        assert read_rows(io.BytesIO(content), limits) == expected


@pytest.mark.parametrize(
    "build",
    [
        bombs.dimension_bomb,
        bombs.zip_bomb,
        lambda: bombs.wide_or_long_xlsx(LIMITS.max_rows + 1, 3),
        lambda: bombs.wide_or_long_xlsx(1, LIMITS.max_columns + 1),
    ],
    ids=["dimension bomb", "zip bomb", "too many rows", "too many columns"],
)
def test_a_refused_file_costs_little_memory(build: Callable[[], bytes]) -> None:
    content = build()
    with bombs.memory_peak() as peak, pytest.raises(ServiceError):
        read_rows(io.BytesIO(content))
    assert peak.megabytes < 50


def test_the_reader_reads_a_file_at_the_limits() -> None:
    rows = read_rows(io.BytesIO(bombs.wide_or_long_xlsx(100, LIMITS.max_columns)))
    assert len(rows) == 100 and len(rows[0]) == LIMITS.max_columns


def test_every_sheet_freezes_its_header_and_filters_the_table_under_it() -> None:
    """Issue 18: a frozen header row and an auto-filter in every Excel file the portal makes,
    also where the header is not the first row (the tariff sheet has a title above it)."""
    builder = XlsxBuilder()
    builder.sheet("Register")
    builder.row(["kenmerk", "status"], bold=True)
    builder.row(["DAS-1", "Lopend"])
    builder.row(["DAS-2", "Opgeschort"])
    builder.sheet("Tarieven")
    builder.row(["Tarieven 2027"])
    builder.row([])
    builder.row(["Perceel", "Product", "Tarief"], bold=True)
    builder.row(["1", "Begeleiding", 70])
    workbook = load_workbook(io.BytesIO(builder.getvalue()))
    register, tariffs = workbook["Register"], workbook["Tarieven"]
    assert register.freeze_panes == "A2" and register.auto_filter.ref == "A1:B3"
    assert tariffs.freeze_panes == "A4" and tariffs.auto_filter.ref == "A3:C4"
    assert register["A3"].value == "DAS-2" and tariffs["C4"].value == 70
