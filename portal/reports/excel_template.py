"""The report as an Excel workbook: the template a supplier downloads and the export of an accepted report.

One sheet per schema section, named by the section key. Column A is the key column the importer reads:
- "key" in A marks a header row, "table" a table's title row;
- a field's row has the field key in A, then label (B), value (C), unit code (D) and the units offered (E);
- a table has a title row, a header row, a key row (A: the table key; then each column's key, `<key>__unit`
  over the unit column that follows a quantity) and one line per row below it.
Headers are bilingual by design, Chinese first: the same file serves both languages whatever the user's locale.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from portal.reports import units
from portal.reports.schema import SECTIONS, Field, Section, Table
from portal.reports.values import cell, parse, section_data, table_rows

Labels = Callable[[object], str]  # turns a lazy label into text in the locale forced around the call

INSTRUCTIONS_SHEET = "说明 Instructions"
TITLE_SHEET = "报告 Report"
HEADER_MARKER, TABLE_MARKER, UNIT_SUFFIX = "key", "table", "__unit"
KEY, LABEL, VALUE, UNIT, NOTES = 1, 2, 3, 4, 5  # columns of a field row
EXTRA_LINES = 20  # empty lines offered below a table's rows in the template

# OWASP "CSV injection": a cell starting with one of these may be evaluated. Leading quotes are included so that
# neutralise() stays reversible for text that already started with a quote before such a character.
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")

KEY_FONT = Font(color="808080", size=9)
KEY_FILL = PatternFill("solid", fgColor="EDEDED")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TEXT = "@"  # the Text number format: what users type stays as they typed it


def neutralise(text: str) -> str:
    """`text` with a leading ' when Excel could read it as a formula (=, +, -, @, tab, CR); see restore()."""
    return "'" + text if _FORMULA_START.match(text) else text


def restore(text: str) -> str:
    """The text neutralise() was given."""
    return text[1:] if text.startswith("'") and _FORMULA_START.match(text, 1) else text


def table_columns(table: Table) -> list[tuple[str, Field, bool]]:
    """(key, column, is_unit) in sheet order from column B: a quantity is followed by its unit column."""
    columns = []
    for column in table.columns:
        columns.append((column.key, column, False))
        if column.units:
            columns.append((column.key + UNIT_SUFFIX, column, True))
    return columns


def _both(labels: Labels, text: object) -> tuple[str, str]:
    with force_locale("zh"):
        zh = labels(text)
    with force_locale("en"):
        en = labels(text)
    return zh, en


def bilingual(labels: Labels, text: object, separator: str = "\n") -> str:
    zh, en = _both(labels, text)
    return zh if zh == en else f"{zh}{separator}{en}"


def put_cell(ws: Worksheet, row: int, column: int, value: object, *, font=None, fill=None, text: bool = False):
    if isinstance(value, str):
        value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    target = ws.cell(row=row, column=column, value=value)
    target.alignment = _WRAP
    if font is not None:
        target.font = font
    if fill is not None:
        target.fill = fill
    if text:
        target.number_format = _TEXT
    return target


def _header(ws: Worksheet, row: int, titles: list[str]) -> None:
    put_cell(ws, row, KEY, HEADER_MARKER, font=KEY_FONT, fill=KEY_FILL)
    for column, title in enumerate(titles, start=2):
        put_cell(ws, row, column, title, font=HEADER_FONT, fill=HEADER_FILL)
    ws.row_dimensions[row].height = 32


def _unit_names(codes: tuple[str, ...]) -> str:
    return "; ".join(f"{c} = {units.label(c, 'zh')} / {units.label(c, 'en')}" for c in codes)


class Validations:
    """Drop-down lists of the template, one per distinct list of codes."""

    def __init__(self, ws: Worksheet, enabled: bool):
        self.ws, self.enabled, self.lists = ws, enabled, {}

    def choose(self, codes: list[str], cells: str) -> None:
        if not self.enabled or not codes:
            return
        formula = '"' + ",".join(codes) + '"'
        if formula not in self.lists:
            self.lists[formula] = DataValidation(
                type="list", formula1=formula, allow_blank=True, showErrorMessage=True, errorTitle="代码 Code",
                error="请从列表中选择。Choose a value from the list.")
            self.ws.add_data_validation(self.lists[formula])
        self.lists[formula].add(cells)

    def date(self, cells: str) -> None:
        if self.enabled:
            validation = DataValidation(allow_blank=True, showInputMessage=True, promptTitle="YYYY-MM-DD",
                                        prompt="日期按文本填写，例如 2026-03-31。Type dates as text, e.g. 2026-03-31.")
            self.ws.add_data_validation(validation)
            validation.add(cells)

    def for_spec(self, spec: Field, value_cells: str, unit_cells: str | None) -> None:
        if unit_cells:
            self.choose(list(spec.units), unit_cells)
        if spec.kind == "choice":
            self.choose([value for value, _label in spec.choices], value_cells)
        elif spec.kind == "date":
            self.date(value_cells)


def _raw(raw: object, spec: Field) -> tuple[str, str | None]:
    text, unit = cell(raw)
    return text, unit or spec.default_unit


def _value(spec: Field, text: str, template: bool) -> object:
    """The template keeps what was typed; the export shows a numeric field's parsed value as a number."""
    if template or spec.kind not in ("decimal", "integer"):
        return text
    parsed = parse(spec, {"v": text})
    if parsed.error or parsed.value is None:
        return text
    number = parsed.value
    return int(number) if number == int(number) else float(number)


def _fields(ws, sec: Section, fields: list[Field], data: dict, labels: Labels, row: int, aids: Validations) -> int:
    _header(ws, row, ["名称\nField", "数值\nValue", "单位\nUnit", "可选单位、说明\nUnits, notes"])
    for spec in fields:
        row += 1
        text, unit = _raw(section_data(data, sec).get(spec.key), spec)
        notes = [_unit_names(spec.units)] if spec.units else []
        if spec.kind == "choice":
            notes.append("; ".join(f"{value} = {bilingual(labels, label, ' / ')}" for value, label in spec.choices))
        if spec.hint is not None:
            notes.append(bilingual(labels, spec.hint))
        put_cell(ws, row, KEY, spec.key, font=KEY_FONT, fill=KEY_FILL)
        put_cell(ws, row, LABEL, bilingual(labels, spec.label))
        value = _value(spec, text, aids.enabled)
        put_cell(ws, row, VALUE, value, text=isinstance(value, str))
        put_cell(ws, row, UNIT, unit if spec.units else None)
        put_cell(ws, row, NOTES, "\n".join(notes) or None, font=KEY_FONT)
        aids.for_spec(spec, f"C{row}", f"D{row}" if spec.units else None)
    return row


def _table(ws, sec: Section, table: Table, data: dict, labels: Labels, row: int, aids: Validations) -> int:
    columns = table_columns(table)
    put_cell(ws, row, KEY, TABLE_MARKER, font=KEY_FONT, fill=KEY_FILL)
    put_cell(ws, row, LABEL, bilingual(labels, table.label), font=Font(bold=True, size=12))
    _header(ws, row + 1, ["单位\nUnit" if is_unit else bilingual(labels, spec.label) for _k, spec, is_unit in columns])
    put_cell(ws, row + 2, KEY, table.key, font=KEY_FONT, fill=KEY_FILL)
    for index, (key, _spec, is_unit) in enumerate(columns, start=2):
        put_cell(ws, row + 2, index, key, font=KEY_FONT, fill=KEY_FILL)
        dimension = ws.column_dimensions[get_column_letter(index)]
        dimension.width = max(dimension.width or 0, 10 if is_unit else 18)
    first = row + 3
    rows = table_rows(data, sec, table)
    lines = len(rows) + (min(EXTRA_LINES, max(table.max_rows - len(rows), 0)) if aids.enabled else 0)
    for line in range(lines):
        values = rows[line] if line < len(rows) else {}
        put_cell(ws, first + line, KEY, line + 1, font=KEY_FONT, fill=KEY_FILL)
        for index, (_key, spec, is_unit) in enumerate(columns, start=2):
            text, unit = _raw(values.get(spec.key), spec)
            value = unit if is_unit else _value(spec, text, aids.enabled)
            put_cell(ws, first + line, index, value, text=isinstance(value, str))
    last = first + max(lines, table.max_rows) - 1
    for index, (_key, spec, is_unit) in enumerate(columns, start=2):
        letter = get_column_letter(index)
        if not is_unit:
            unit_letter = get_column_letter(index + 1) if spec.units else None
            aids.for_spec(spec, f"{letter}{first}:{letter}{last}",
                          f"{unit_letter}{first}:{unit_letter}{last}" if unit_letter else None)
    return first + lines - 1


def _section_sheet(ws: Worksheet, sec: Section, data: dict, labels: Labels, template: bool) -> None:
    aids = Validations(ws, template)
    ws.column_dimensions["A"].width = 12
    put_cell(ws, 1, LABEL, bilingual(labels, sec.label), font=Font(bold=True, size=14))
    fields = [item for item in sec.items if isinstance(item, Field)]
    row = 2
    if fields:
        for letter, width in (("B", 36), ("C", 20), ("D", 12), ("E", 48)):
            ws.column_dimensions[letter].width = width
        row = _fields(ws, sec, fields, data, labels, row, aids) + 2
        ws.freeze_panes = "C3"
    for table in (item for item in sec.items if isinstance(item, Table)):
        if not fields and ws.freeze_panes is None:
            ws.freeze_panes = f"C{row + 3}"
        row = _table(ws, sec, table, data, labels, row, aids) + 2


def _instructions(ws: Worksheet, site_name: str, year: int, labels: Labels) -> None:
    ws.column_dimensions["A"].width = 110
    lines = [
        f"# {year} 年度环境报告 Annual environmental report {year}",
        f"站点 Site: {site_name}",
        "",
        "# 填写说明",
        "1. 每个工作表是报告的一个部分，工作表名称是该部分的代码：请勿重命名、删除或新增工作表。",
        "2. A 列（灰色）是系统读取用的代码，请勿修改、移动或删除 A 列，也不要删除行或表头。",
        "3. 在“数值”列只填数字（例如 1234.5），不要带单位或文字；在“单位”列从下拉列表选择单位代码（见下表）。",
        "4. 表格中每行填写一条记录（例如每种危险废物一行）；可在已有行下方继续填写，空行会被忽略。",
        "5. 日期按文本 YYYY-MM-DD 填写，例如 2026-03-31；选项列从下拉列表选择代码。",
        "6. 不导入公式：含公式的单元格请复制后“选择性粘贴 - 数值”。",
        "7. 上传时系统先检查整个文件；发现问题会列出工作表、行和列，问题改正前不会导入任何内容。",
        "",
        "# How to fill in this workbook",
        "1. Each sheet is one section of the report, named by its code: do not rename, delete or add sheets.",
        "2. Column A (grey) holds the codes the portal reads: do not change, move or delete it, and do not delete "
        "rows or headers.",
        "3. In the Value column enter numbers only (for example 1234.5), without units or words; choose the unit "
        "code from the drop-down list in the Unit column (see the table below).",
        "4. In a table each line is one entry (for example one hazardous waste code); add lines below the existing "
        "ones; empty lines are ignored.",
        "5. Type dates as text YYYY-MM-DD, for example 2026-03-31; choose options from the drop-down lists.",
        "6. Formulas are not imported: copy such cells and paste them as values.",
        "7. The whole file is checked on upload; problems are listed with their sheet, row and column, and nothing "
        "is imported until they are corrected.",
        "",
        "# 单位代码 Unit codes",
        *(f"{code} = {units.label(code, 'zh')} / {units.label(code, 'en')}"
          for code in dict.fromkeys(c for s in SECTIONS for spec in _specs(s) for c in spec.units)),
    ]
    for sec in SECTIONS:
        for spec in (spec for spec in _specs(sec) if spec.kind == "choice"):
            lines += ["", f"# {sec.key} · {bilingual(labels, spec.label, ' / ')}: 选项代码 Option codes"]
            lines += [f"{value} = {bilingual(labels, label, ' / ')}" for value, label in spec.choices]
    for row, line in enumerate(lines, start=1):
        title = line.startswith("# ")
        put_cell(ws, row, 1, line.removeprefix("# ") or None, font=HEADER_FONT if title else None)


def _specs(sec: Section) -> list[Field]:
    return [c for item in sec.items for c in (item.columns if isinstance(item, Table) else (item,))]


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def build_workbook(data: dict, *, site_name: str, year: int, labels: Labels = str) -> bytes:
    """The template to download, filled with the draft's raw cells (`data` as stored).

    `labels` turns a lazy label into text; it is called inside force_locale("zh") and force_locale("en"), so
    it needs an app or request context (plain `str` does the job).
    """
    wb = Workbook()
    wb.active.title = INSTRUCTIONS_SHEET
    _instructions(wb.active, site_name, year, labels)
    for sec in SECTIONS:
        _section_sheet(wb.create_sheet(sec.key), sec, data, labels, template=True)
    return workbook_bytes(wb)


def export_workbook(data: dict, *, title_rows: list[tuple[str, str]], labels: Labels = str) -> bytes:
    """An accepted report: the title rows given by the caller, then the template's layout without input aids."""
    wb = Workbook()
    ws = wb.active
    ws.title = TITLE_SHEET
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 28, 60
    for row, (title, value) in enumerate(title_rows, start=1):
        put_cell(ws, row, 1, str(title), font=HEADER_FONT)
        put_cell(ws, row, 2, str(value), text=True)
    for sec in SECTIONS:
        _section_sheet(wb.create_sheet(sec.key), sec, data, labels, template=False)
    return workbook_bytes(wb)
