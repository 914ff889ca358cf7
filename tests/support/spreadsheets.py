"""Hostile spreadsheets for the import tests, built cheaply: the 1 GB ZIP bomb is one
deflated megabyte repeated, and the memory guard stops a regression before it hurts the machine."""

from __future__ import annotations

import io
import re
import resource
import struct
import tracemalloc
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

SHEET = "xl/worksheets/sheet1.xml"
MB = 1024 * 1024


def xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    """A small, ordinary workbook (openpyxl's normal mode writes a <dimension> element)."""
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def wide_or_long_xlsx(rows: int, columns: int) -> bytes:
    """A workbook of `rows` rows of `columns` numbers each, written in streaming mode."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for number in range(rows):
        sheet.append([number] * columns)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def parts_of(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_of(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def dimension_bomb() -> bytes:
    """The attack that once made a worker grow to 1.2 GB: a valid workbook of about 5 KB whose
    worksheet declares the range A1:XFD1048576 (16,384 columns by 1,048,576 rows) and has a
    blank, formatted cell in that far corner. Believing the range, openpyxl's read-only sheet
    yields every missing row in between, each 16,384 cells wide: a million of them."""
    parts = parts_of(xlsx([["kpi", "periode", "waarde"], ["CLIENTS", "2024-K1", 3]]))
    sheet = re.sub(
        rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', parts[SHEET]
    )
    corner = b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>'
    parts[SHEET] = sheet.replace(b"</sheetData>", corner)
    assert b"A1:XFD1048576" in parts[SHEET] and corner in parts[SHEET]
    return zip_of(parts)


def _raw_zip(parts: dict[str, tuple[bytes, int, int]]) -> bytes:
    """A ZIP archive of already deflated parts: name -> (deflated bytes, crc32, size)."""
    local, central = io.BytesIO(), io.BytesIO()
    day = (1 << 5) | 1  # 1 January 1980
    for name, (deflated, crc, size) in parts.items():
        encoded = name.encode()
        sizes = (crc, len(deflated), size)
        offset = local.tell()
        # version 2.0, no flags, deflated, 00:00 on that day
        header = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, day, *sizes, len(encoded), 0)
        local.write(header + encoded + deflated)
        names = (len(encoded), 0, 0, 0, 0, 0)  # name length, no extra, comment, disk, attributes
        entry = struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, day, *sizes, *names, offset
        )
        central.write(entry + encoded)
    directory = central.getvalue()
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory), local.tell(), 0
    )
    return local.getvalue() + directory + end


def _deflated(data: bytes) -> tuple[bytes, int, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


@cache
def zip_bomb(megabytes: int = 1024) -> bytes:
    """A valid workbook whose worksheet unpacks to about a gigabyte of blanks inside
    <sheetData>: about 1 MB packed. The blanks are deflated once, a megabyte at a time, and
    repeated (after a full flush a deflate block does not depend on what came before)."""
    parts = {
        name: _deflated(data)
        for name, data in parts_of(xlsx([["kpi", "periode", "waarde"]])).items()
    }
    sheet = parts_of(xlsx([["kpi", "periode", "waarde"]]))[SHEET]
    head, tail = sheet.split(b"</sheetData>")
    blanks = b" " * MB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(blanks) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(b"</sheetData>" + tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(megabytes):
        crc = zlib.crc32(blanks, crc)
    crc = zlib.crc32(b"</sheetData>" + tail, crc)
    size = len(head) + megabytes * MB + len(b"</sheetData>" + tail)
    parts[SHEET] = (start + block * megabytes + end, crc, size)
    return _raw_zip(parts)


@dataclass
class Peak:
    bytes: int = 0

    @property
    def megabytes(self) -> float:
        return self.bytes / MB


@contextmanager
def memory_peak(ceiling_mb: int = 1024) -> Iterator[Peak]:
    """The peak of Python allocations inside the block (tracemalloc). As a safety net the
    process may not grow more than `ceiling_mb` meanwhile: code that regresses to reading a
    bomb then fails with MemoryError instead of taking the machine's memory."""
    with open("/proc/self/status") as status:
        size_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = size_kb * 1024 + ceiling_mb * MB
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    peak = Peak()
    tracemalloc.start()
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    try:
        yield peak
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        peak.bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
