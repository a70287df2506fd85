"""The dashboard's tables as files: an Excel workbook with one sheet per table (cells written by
portal.reports.excel_template.put_cell, which drops the characters Excel cannot store and neutralises text
Excel could read as a formula), or one table as CSV (neutralised the same way)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from portal.programme.tables import Table
from portal.reports.excel_template import neutralise, put_cell, workbook_bytes

BOLD = Font(bold=True)


def _value(value):
    if value is None:
        return ""
    if isinstance(value, int | Decimal):
        return value
    return str(value)


def workbook(tables: list[Table]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.key)
        put_cell(sheet, 1, 1, str(table.title), font=BOLD)
        for column, name in enumerate(table.columns, start=1):
            put_cell(sheet, 2, column, str(name), font=BOLD)
        for row_number, row in enumerate(table.rows, start=3):
            for column, value in enumerate(row, start=1):
                put_cell(sheet, row_number, column, _value(value))
        if table.note:
            put_cell(sheet, len(table.rows) + 4, 1, str(table.note))
        sheet.column_dimensions["A"].width = 40
    return workbook_bytes(book)


def _cell(value):
    value = _value(value)
    return neutralise(value) if isinstance(value, str) else value


def csv_text(table: Table) -> str:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(str(column)) for column in table.columns])
    for row in table.rows:
        writer.writerow([_cell(value) for value in row])
    return "\ufeff" + out.getvalue()
