"""Reading a filled template back into a report's raw cells, with every problem located by sheet, row and column.

Untrusted input: the file is size-checked, unpacked size-checked, opened read-only and read up to MAX_ROWS ×
MAX_COLUMNS per sheet; nothing raises. A cell with a problem is left out of the result, never half-read; the
caller imports nothing while there are problems.
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from portal.reports import units
from portal.reports.excel_template import (
    HEADER_MARKER,
    INSTRUCTIONS_SHEET,
    TABLE_MARKER,
    TITLE_SHEET,
    UNIT_SUFFIX,
    restore,
)
from portal.reports.schema import SECTIONS, Field, Section, Table
from portal.reports.values import parse

MAX_ROWS, MAX_COLUMNS, MAX_SHEETS = 1000, 50, 30
OVERFLOW_SCAN = 10_000  # rows looked at below MAX_ROWS, only to tell the user that something there was ignored
MAX_PROBLEMS = 100
# Unpacked size allowed per byte of upload: sheet XML compresses about tenfold, a zip bomb a thousandfold. It also
# bounds the time openpyxl takes to open a sheet that lacks a <dimension> element (it scans the whole sheet for it).
UNPACKED_RATIO = 10
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and the old .xls are OLE compound files
_BY_KEY = {sec.key: sec for sec in SECTIONS}
_ANY = Field("", "", kind="text")  # how a cell outside the layout is read, only to tell whether it holds anything

# Messages without placeholders; the others are written where they are raised, so that extraction finds them.
EMPTY_FILE = _l("The file is empty.")
ENCRYPTED = _l("This file is password-protected or in the old .xls format. Save it as an Excel workbook (.xlsx) "
               "without a password and upload it again.")
NOT_XLSX = _l("This file is not an Excel workbook (.xlsx) or it is damaged. Download the template, fill it in and "
              "upload it again.")
UNKNOWN_SHEET = _l("This sheet is not part of the report template and was ignored. Do not rename or add sheets.")
DAMAGED_SHEET = _l("This sheet could not be read; it was ignored.")
NO_KEY_COLUMN = _l("Column A with the keys is missing or was changed, so this sheet was not read. Do not rename, "
                   "move or delete column A.")
VALUE_WITHOUT_KEY = _l("This value has no key in column A and was ignored.")
FORMULA = _l("Formulas are not imported. Copy the cells and paste them as values.")


@dataclass(frozen=True)
class Problem:
    sheet: str  # "" for the file as a whole
    row: int | None
    column: str | None  # Excel column letter
    message: object  # a lazy_gettext string
    field_path: str | None = None


@dataclass
class ImportResult:
    data: dict = field(default_factory=dict)  # raw cells of the sections found, as a report stores them
    problems: list[Problem] = field(default_factory=list)


def read_workbook(content: bytes, *, max_bytes: int = 5 * 1024 * 1024) -> ImportResult:
    result = ImportResult()
    opened = open_workbook(content, max_bytes, result.problems)
    if opened is None:
        return result
    try:
        names = [name for name in opened.sheetnames if name not in (INSTRUCTIONS_SHEET, TITLE_SHEET)]
        if len(names) > MAX_SHEETS:
            result.problems.append(Problem("", None, None, _l(
                "The workbook has more than %(max)s sheets; the others were ignored.", max=MAX_SHEETS)))
        for name in names[:MAX_SHEETS]:
            sec = _BY_KEY.get(name.strip())
            if sec is None or sec.key in result.data:
                result.problems.append(Problem(name, None, None, UNKNOWN_SHEET))
                continue
            cells = sheet_grid(opened, name)
            if cells is None:
                result.problems.append(Problem(name, None, None, DAMAGED_SHEET))
                continue
            values = _SheetReader(sec, name, result.problems).read(*cells)
            if values is not None:
                result.data[sec.key] = values
    finally:
        opened.close()
    if len(result.problems) > MAX_PROBLEMS:
        result.problems[MAX_PROBLEMS:] = [Problem("", None, None, _l(
            "More than %(max)s problems were found; only the first %(max)s are listed.", max=MAX_PROBLEMS))]
    return result


def open_workbook(content: bytes, max_bytes: int, problems: list[Problem]):
    def fail(message):
        problems.append(Problem("", None, None, message))

    if not content:
        return fail(EMPTY_FILE)
    if len(content) > max_bytes:
        return fail(_l("The file is larger than %(size)s MB. Remove pictures and unused sheets, then upload it "
                       "again.", size=f"{max_bytes / 1024 / 1024:g}"))
    if content.startswith(_OLE_MAGIC):
        return fail(ENCRYPTED)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > max_bytes * UNPACKED_RATIO:
                return fail(_l("The workbook holds too much data (more than %(size)s MB unpacked). Remove pictures "
                               "and unused sheets, then upload it again.",
                               size=f"{max_bytes * UNPACKED_RATIO / 1024 / 1024:g}"))
        return load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # anything openpyxl or zipfile raises on a damaged or foreign file
        return fail(NOT_XLSX)


def sheet_grid(workbook, name: str) -> tuple[list[list[tuple[object, str]]], int | None] | None:
    """The sheet's first MAX_ROWS rows as (value, type) cells, and the first row below them that holds anything
    (looked for in the next OVERFLOW_SCAN rows only)."""
    try:
        grid, overflow = [], None
        for number, row in enumerate(workbook[name].iter_rows(max_row=MAX_ROWS + OVERFLOW_SCAN, max_col=MAX_COLUMNS,
                                                              values_only=False), start=1):
            cells = [(c.value, getattr(c, "data_type", "n")) for c in row]
            if number <= MAX_ROWS:
                grid.append(cells + [(None, "n")] * (MAX_COLUMNS - len(cells)))
            elif any(value is not None for value, _type in cells):
                overflow = number
                break
        return grid, overflow
    except Exception:  # a damaged sheet, or a chart sheet
        return None


def number_text(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    number = Decimal(format(value, ".15g"))  # Excel keeps 15 significant digits; the rest is binary noise
    return "0" if number == 0 else format(number.normalize(), "f")


NOT_FINITE = _l("Enter a number, for example 1234.5 (no units or words).")


def cell_text(value: object, data_type: str, spec: Field) -> tuple[str, object | None]:
    """(text as a report stores it, problem message) of a cell's value."""
    if value is None:
        return "", None
    if data_type in ("f", "e") or (isinstance(value, str) and value.startswith("=")):
        return "", FORMULA
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), None
    if isinstance(value, int):
        return str(value), None
    if isinstance(value, float):
        if not math.isfinite(value):  # beyond what Excel can hold: the file was not saved by Excel as typed
            return "", NOT_FINITE
        return number_text(value), None
    if isinstance(value, datetime):
        if spec.kind == "date" or value.time() == time():
            return value.date().isoformat(), None
        return value.isoformat(sep=" "), None
    if isinstance(value, date | time):
        return value.isoformat(), None
    return restore(str(value)).strip(), None


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


def _unit_code(text: str, spec: Field) -> str | None:
    if not text:
        return spec.default_unit
    for code in spec.units:
        unit = units.unit(code)
        if text.casefold() in (code.casefold(), unit.label_zh.casefold(), unit.label_en.casefold()):
            return code
    return None


class _SheetReader:
    def __init__(self, sec: Section, sheet: str, problems: list[Problem]):
        self.sec, self.sheet, self.problems = sec, sheet, problems
        self.fields = {i.key: i for i in sec.items if isinstance(i, Field)}
        self.tables = {i.key: i for i in sec.items if isinstance(i, Table)}

    def problem(self, row: int | None, column: int | None, message: object, path: str | None = None) -> None:
        letter = get_column_letter(column) if column else None
        self.problems.append(Problem(self.sheet, row, letter, message, path))

    def read(self, grid: list[list[tuple[object, str]]], overflow: int | None) -> dict | None:
        keys = [row[0][0].strip() if isinstance(row[0][0], str) else "" for row in grid]
        if not set(keys) & (self.fields.keys() | self.tables.keys()):
            self.problem(None, 1, NO_KEY_COLUMN)
            return None
        values: dict = {}
        table = None  # the _TableReader of the lines below a table's key row, if any
        for number, (key, cells) in enumerate(zip(keys, grid, strict=False), start=1):
            if key in (HEADER_MARKER, TABLE_MARKER):
                table = None
            elif key in self.fields or key in self.tables:
                table = None
                if key in values:
                    self.problem(number, 1, _l("“%(key)s” appears more than once in column A; only its first row "
                                               "was read.", key=key), f"{self.sec.key}.{key}")
                elif key in self.fields:
                    values[key] = self.cell(self.fields[key], cells[2], cells[3], number, 3, 4, f"{self.sec.key}.{key}")
                else:
                    table = _TableReader(self, self.tables[key], cells, number)
                    values[key] = table.rows
            elif table is not None:
                table.line(cells, number)
            elif key:
                self.problem(number, 1, _l("“%(key)s” in column A is not a key of this sheet; the row was "
                                           "ignored. Do not change column A.", key=_short(key)))
            else:
                for column in (3, 4):
                    if any(cell_text(*cells[column - 1], _ANY)):
                        self.problem(number, column, VALUE_WITHOUT_KEY)
        if overflow is not None:
            self.problem(overflow, None, _l("Only the first %(max)s rows of a sheet are read; the rows below were "
                                            "ignored.", max=MAX_ROWS))
        for key in self.fields.keys() - values.keys():
            self.problem(None, None, _l("The row of “%(key)s” is missing. Do not delete rows of the template.",
                                        key=key), f"{self.sec.key}.{key}")
        for key in self.tables.keys() - values.keys():
            self.problem(None, None, _l("The table “%(key)s” is missing: its key row was deleted or changed.",
                                        key=key), f"{self.sec.key}.{key}")
        return {k: v for k, v in values.items() if v is not None}

    def cell(self, spec: Field, value_cell, unit_cell, row: int, column: int, unit_column: int | None,
             path: str) -> dict | None:
        """The stored form of a value (and unit) cell, or None after recording its problem."""
        text, message = cell_text(*value_cell, spec)
        if message is None and text and spec.kind in ("decimal", "integer", "date"):
            message = parse(spec, {"v": text}).error
        if message is None and text and spec.kind == "choice" and text not in {v for v, _label in spec.choices}:
            message = _l("“%(value)s” is not one of the options: %(choices)s.", value=_short(text),
                         choices=", ".join(v for v, _label in spec.choices))
        if message is not None:
            self.problem(row, column, message, path)
            return None
        if not spec.units:
            return {"v": text}
        unit_text, message = cell_text(*unit_cell, spec) if unit_column else ("", None)
        code = _unit_code(unit_text, spec) if message is None else None
        if code is None:
            self.problem(row, unit_column, message or _l("“%(unit)s” is not a unit of this field. Choose one of: "
                                                         "%(units)s.", unit=_short(unit_text),
                                                         units=", ".join(spec.units)), path)
            return None
        return {"v": text, "u": code}


class _TableReader:
    def __init__(self, sheet: _SheetReader, table: Table, key_row: list, row: int):
        self.sheet, self.table, self.rows, self.lines = sheet, table, [], 0
        self.path = f"{sheet.sec.key}.{table.key}"
        self.at: dict[str, int] = {}  # column key (or key__unit) -> column number
        for number, (value, _type) in enumerate(key_row[1:], start=2):
            key = value.strip() if isinstance(value, str) else ""
            if key and key not in self.at and self.known(key):
                self.at[key] = number
            elif key:
                sheet.problem(row, number, _l("“%(key)s” is not a column of this table; the column was ignored.",
                                              key=_short(key)), self.path)
        expected = [c.key for c in table.columns] + [c.key + UNIT_SUFFIX for c in table.columns if c.units]
        missing = [key for key in expected if key not in self.at]
        for key in missing:
            sheet.problem(row, None, _l("The column “%(key)s” of this table is missing, so the table was not "
                                        "read. Do not delete columns or change the grey key row.", key=key), self.path)
        if missing:
            self.rows = None

    def known(self, key: str) -> bool:
        plain = key.removesuffix(UNIT_SUFFIX)
        return any(c.key == plain and (plain == key or c.units) for c in self.table.columns)

    def line(self, cells: list, number: int) -> None:
        if self.rows is None:
            return
        used = [(c, cells[self.at[c.key] - 1]) for c in self.table.columns]
        if all(value is None or (cell_text(value, data_type, c) == ("", None)) for c, (value, data_type) in used):
            return  # a blank line: units alone do not make a line
        self.lines += 1
        if self.lines > self.table.max_rows:
            if self.lines == self.table.max_rows + 1:
                self.sheet.problem(number, None, _l("This table takes at most %(max)s lines; this line and the ones "
                                                    "below were not read.", max=self.table.max_rows), self.path)
            return
        index = len(self.rows)
        row = {}
        for column, value_cell in used:
            unit_column = self.at.get(column.key + UNIT_SUFFIX)
            stored = self.sheet.cell(column, value_cell, cells[unit_column - 1] if unit_column else None, number,
                                     self.at[column.key], unit_column, f"{self.path}.{index}.{column.key}")
            if stored is not None:
                row[column.key] = stored
        self.rows.append(row)
