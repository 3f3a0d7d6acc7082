"""Spreadsheets in and out, whatever they hold: CSV (UTF-8 with a BOM, so Excel shows Chinese
right; read as UTF-8 or GB18030, any of , ; tab) and the first sheet of an .xlsx; the columns an
import can fill guessed from a file's headers in English or Chinese."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import openpyxl

_SPACES = re.compile(r"[\s_\-*:：()（）]+")


@dataclass(frozen=True)
class RowError:
    #: the row number as the spreadsheet shows it (the headers are row 1)
    row: int
    column: str
    reason: str


class Target(Protocol):
    """A field an import can fill: its name, its label as the user reads it, other header names."""

    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...


def norm_header(header: str) -> str:
    """A header as compared: lower case, spaces, underscores, dashes and brackets folded."""
    return _SPACES.sub(" ", header.strip().lower()).strip()


def guess_mapping(headers: Sequence[str], columns: Sequence[Target]) -> dict[int, str | None]:
    """Column index → field name (None: not imported); each field is taken by the first column
    whose header is its name, label or one of its aliases."""
    taken: set[str] = set()
    mapping: dict[int, str | None] = {}
    for index, header in enumerate(headers):
        wanted = norm_header(header)
        found = None
        for column in columns:
            names = {norm_header(a) for a in column.aliases} | {norm_header(column.title), column.name}
            if column.name not in taken and wanted in names:
                found = column.name
                break
        if found:
            taken.add(found)
        mapping[index] = found
    return mapping


@dataclass
class Sheet:
    headers: list[str]
    rows: list[list[str]]


def cell_text(value: Any) -> str:
    """A cell as text: dates ISO, whole floats without ".0", None empty."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_sheet(path: Path) -> Sheet:
    """The first sheet of an .xlsx, or a CSV (UTF-8 with or without BOM, else GB18030), headers
    first; blank trailing cells are kept as ""."""
    if path.suffix.lower() == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            table = [[cell_text(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        try:
            dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        table = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    while table and not any(table[-1]):
        table.pop()
    if not table:
        return Sheet([], [])
    width = max(len(r) for r in table)
    table = [r + [""] * (width - len(r)) for r in table]
    return Sheet(table[0], table[1:])


def write_sheet(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Write a CSV (UTF-8 with BOM) or, for a .xlsx name, a workbook."""
    if path.suffix.lower() == ".xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(list(headers))
        for row in rows:
            sheet.append([cell_text(v) for v in row])
        book.save(path)
        return
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows([cell_text(v) for v in row] for row in rows)
