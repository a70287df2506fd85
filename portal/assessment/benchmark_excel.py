"""A benchmark as an Excel workbook, for admins and buyers who edit a draft in Excel: export, and import that reads
the sheets back into the plain data of the YAML format and checks it with the same validator.

One sheet a list of the format: benchmark (one row), grade_bands, sections, questions (each names its section),
options and thresholds (each names its question) and knockouts. Row 1 holds the Chinese headers, row 2 the English
ones, which are the format's keys and what the import reads; the data starts in row 3. Every problem names its
sheet, row and column. Untrusted input: opened and read as the report import does (size-checked, read-only, at
most MAX_ROWS rows a sheet); nothing raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from portal.assessment.benchmark import YamlDumper, YamlLoader
from portal.assessment.benchmark_types import EFFORTS, EVIDENCE, QUESTION_TYPES, Benchmark, Problem
from portal.assessment.benchmark_validation import check
from portal.reports.excel_import import MAX_ROWS, cell_text, open_workbook, sheet_grid
from portal.reports.excel_template import (
    HEADER_FILL,
    HEADER_FONT,
    KEY_FILL,
    KEY_FONT,
    Validations,
    put_cell,
    workbook_bytes,
)
from portal.reports.schema import Field

MAX_BYTES = 2 * 1024 * 1024  # the programme's benchmark is about 30 kB
MAX_PROBLEMS = 200
FIRST_ROW = 3  # rows 1 and 2 are the Chinese and the English headers
INSTRUCTIONS_SHEET = "说明 Instructions"
BOOLEANS = ("TRUE", "FALSE")
_TEXT = Field("", "", kind="text")  # how cell_text reads any cell: as the text it shows


@dataclass(frozen=True)
class _Column:
    key: str  # the English header: the format's key
    zh: str
    kind: str = "text"  # text | number | bool | values (a knock-out's answers, written as YAML flow items)
    width: int = 14
    choices: tuple[str, ...] = ()


def _text(key: str, zh: str, width: int = 30) -> _Column:
    return _Column(key, zh, width=width)


SHEETS: dict[str, tuple[_Column, ...]] = {
    "benchmark": (_text("id", "编号", 20), _Column("version", "版本", "number", 8), _text("owner", "所有者", 20),
                  _text("title_zh", "标题（中文）", 40), _text("title_en", "标题（英文）", 40),
                  _text("basis_zh", "依据（中文）", 60), _text("basis_en", "依据（英文）", 60)),
    "grade_bands": (_text("grade", "等级", 8), _Column("min", "最低分", "number", 10),
                    _text("label_zh", "名称（中文）", 20), _text("label_en", "名称（英文）", 20)),
    "sections": (_text("id", "编号", 10), _text("title_zh", "标题（中文）"), _text("title_en", "标题（英文）"),
                 _Column("weight", "权重", "number", 10)),
    "questions": (_text("section", "所属部分", 10), _text("id", "编号", 10),
                  _Column("type", "题型", width=16, choices=QUESTION_TYPES),
                  _text("text_zh", "题目（中文）", 50), _text("text_en", "题目（英文）", 50), _text("unit", "单位", 10),
                  _Column("weight", "权重", "number", 8), _Column("higher_is_better", "越高越好", "bool", 12, BOOLEANS),
                  _Column("evidence", "证明材料", width=12, choices=EVIDENCE),
                  _text("evidence_zh", "证明材料说明（中文）", 40), _text("evidence_en", "证明材料说明（英文）", 40),
                  _text("improve_zh", "改进建议（中文）", 40), _text("improve_en", "改进建议（英文）", 40),
                  _Column("effort", "改进难度", width=10, choices=EFFORTS), _text("guidance", "指南检索词"),
                  _text("prefill_fact", "预填数据项")),
    "options": (_text("question", "题目编号", 10), _text("value", "选项代码", 20),
                _text("label_zh", "选项（中文）", 40), _text("label_en", "选项（英文）", 40),
                _Column("points", "得分", "number", 8)),
    "thresholds": (_text("question", "题目编号", 10), _Column("min", "下限（越高越好）", "number", 16),
                   _Column("max", "上限（越低越好）", "number", 16), _Column("points", "得分", "number", 8)),
    "knockouts": (_text("id", "编号", 20), _Column("kind", "条件对象", width=12, choices=("fact", "question")),
                  _text("subject", "数据项或题目编号"), _Column("operator", "条件", width=10, choices=("in", "equals")),
                  _Column("values", "取值（逗号分隔）", "values", 24), _text("cap", "最高等级", 10),
                  _text("reason_zh", "原因（中文）", 40), _text("reason_en", "原因（英文）", 40)),
}
_QUESTION_KEYS = ("id", "type", "text_zh", "text_en", "unit", "weight", "higher_is_better", "evidence", "evidence_zh",
                  "evidence_en", "improve_zh", "improve_en", "effort", "guidance")

NO_SHEET = _l("The sheet is missing. Do not rename or delete sheets; export the benchmark again to start from a "
              "complete workbook.")
ONE_ROW = _l("Only row 3 of this sheet is read: write the benchmark's details there and leave the rows below empty.")
BAD_VALUES = _l("Write the values separated by commas, such as: red, yellow. Put a value in quotes if it contains a "
                "comma or should stay text although it looks like a number or true/false.")
ONE_VALUE = _l("A condition with “equals” takes exactly one value.")


def _location(sheet: str, row: int | None = None, column: str | None = None, last_row: int | None = None) -> str:
    if not sheet:
        return ""
    if column and row:
        return f"{sheet}!{column}{row}" + (f":{column}{last_row}" if last_row and last_row != row else "")
    if column:
        return f"{sheet}!{column}:{column}"
    return f"{sheet}!{row}:{row}" if row else sheet


def _problem(message, sheet: str = "", row: int | None = None, column: str | None = None, **more) -> Problem:
    return Problem(_location(sheet, row, column, **more), message, sheet, row, column)


# -- export


class _AnswersDumper(YamlDumper):
    """Quotes only what YamlLoader would not read back as the same value, so `no` stays `no` and `true` is true."""

    yaml_implicit_resolvers = YamlLoader.yaml_implicit_resolvers


def _values_text(values: list) -> str:
    """A knock-out's answers as YAML flow items without the brackets: `red, no, 5`."""
    flow = yaml.dump(list(values), Dumper=_AnswersDumper, default_flow_style=True, allow_unicode=True,
                     width=10**6).strip()
    return flow[1:-1]


def _rows(benchmark: Benchmark) -> dict[str, list[dict]]:
    data = benchmark.to_dict()
    rows: dict[str, list[dict]] = {"benchmark": [{key: data.get(key) for key in
                                                  ("id", "version", "owner", "title_zh", "title_en", "basis_zh",
                                                   "basis_en")}],
                                   "grade_bands": data["grade_bands"], "sections": [], "questions": [], "options": [],
                                   "thresholds": [], "knockouts": []}
    for section in data["sections"]:
        rows["sections"].append({key: section[key] for key in ("id", "title_zh", "title_en", "weight")})
        for question in section["questions"]:
            rows["questions"].append({"section": section["id"], **{key: question.get(key) for key in _QUESTION_KEYS},
                                      "prefill_fact": question.get("prefill", {}).get("fact")})
            rows["options"] += [{"question": question["id"], **option} for option in question.get("options", ())]
            rows["thresholds"] += [{"question": question["id"], **item} for item in question.get("thresholds", ())]
    for knockout in data["knockouts"]:
        (kind, subject), (operator, values) = knockout["when"].items()
        rows["knockouts"].append({**knockout, "kind": kind, "subject": subject, "operator": operator,
                                  "values": _values_text(values if operator == "in" else [values])})
    return rows


def _instructions(ws) -> None:
    ws.column_dimensions["A"].width = 110
    lines = [
        "填写说明",
        "1. 每个工作表是基准的一部分：请勿重命名或删除工作表，也不要修改第 2 行的英文表头（导入按它识别各列）。",
        "2. 题目（questions）的 section 列填写所属部分的编号；选项（options）和分档门槛（thresholds）的 question 列填写"
        "所属题目的编号，按从高到低的顺序逐行填写。",
        "3. 否决项（knockouts）的 values 列填写一个或多个取值，用逗号分隔，例如 red, yellow；"
        "operator 为 equals 时只填一个值。",
        "4. 不导入公式：含公式的单元格请复制后“选择性粘贴 - 数值”。上传时检查整个文件，问题会列出工作表和单元格，"
        "改正前不会导入。",
        "",
        "How to fill in this workbook",
        "1. Each sheet is one part of the benchmark: do not rename or delete sheets, and do not change the English "
        "headers in row 2 (the import finds the columns by them).",
        "2. In questions, the section column holds the id of the question's section; in options and thresholds, the "
        "question column holds the id of their question. List thresholds from the best result down.",
        "3. In knockouts, the values column holds one or more values separated by commas, such as: red, yellow; "
        "with the operator equals, exactly one.",
        "4. Formulas are not imported: paste such cells as values. The whole file is checked on upload; problems are "
        "listed with their sheet and cell, and nothing is imported until they are corrected.",
    ]
    for row, line in enumerate(lines, start=1):
        put_cell(ws, row, 1, line or None, font=HEADER_FONT if line and not line[0].isdigit() else None)


def _sheet(ws, columns: tuple[_Column, ...], rows: list[dict], grades: list[str]) -> None:
    validations = Validations(ws, enabled=True)
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        put_cell(ws, 1, index, column.zh, font=HEADER_FONT, fill=HEADER_FILL)
        put_cell(ws, 2, index, column.key, font=KEY_FONT, fill=KEY_FILL)
        choices = grades if column.key == "cap" else list(column.choices)
        # A list of literal values in a validation may not hold commas or quotes, nor pass 255 characters.
        if choices and len(",".join(choices)) < 250 and not any(set(c) & set(',"') for c in choices):
            validations.choose(choices, f"{letter}{FIRST_ROW}:{letter}{MAX_ROWS}")
        for number, row in enumerate(rows, start=FIRST_ROW):
            value = row.get(column.key)
            if value is not None and value != "":
                put_cell(ws, number, index, value, text=column.kind in ("text", "values"))
    ws.freeze_panes = "C3" if columns[1].key == "id" else "B3"  # the headers, and the row's id (and section)


def dump_workbook(benchmark: Benchmark) -> bytes:
    """The benchmark as an .xlsx workbook that load_workbook reads back into the same benchmark."""
    wb = Workbook()
    _instructions(wb.active)
    wb.active.title = INSTRUCTIONS_SHEET
    grades = [band.grade for band in benchmark.grade_bands]
    for name, rows in _rows(benchmark).items():
        _sheet(wb.create_sheet(name), SHEETS[name], rows, grades)
    return workbook_bytes(wb)


# -- import


def _number(text: str) -> Any:
    """A number the validator accepts (int or float) from the text a cell shows, or the text when it is none."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    if number == number.to_integral_value() and number.adjusted() < 18:
        return int(number)
    return float(number)


def _value(column: _Column, text: str) -> Any:
    if column.kind == "number":
        return _number(text)
    if column.kind == "bool" and text.upper() in BOOLEANS:
        return text.upper() == "TRUE"
    return text  # text, and what the validator reports as not a number or not true/false


class _Sheets:
    """Reads the workbook's sheets into the format's plain data, remembering the cell each value came from."""

    def __init__(self, workbook):
        self.workbook = workbook
        self.problems: list[Problem] = []  # of the file's layout: with any, the data is not checked
        self.cell_problems: list[Problem] = []  # of single cells: the data is checked without the cell
        self.at: dict[str, tuple] = {"": ("", None, None, None)}  # path -> sheet, row, column, last row

    def read(self, name: str) -> tuple[list[tuple[int, dict[str, Any]]], dict[str, str]]:
        """(row number, values by key) of each row that holds anything, and the column letter of each key."""
        grid = sheet_grid(self.workbook, name) if name in self.workbook.sheetnames else None
        if grid is None:
            self.problems.append(_problem(NO_SHEET if name not in self.workbook.sheetnames else
                                          _l("This sheet could not be read; it was ignored."), name))
            return [], {}
        cells, overflow = grid
        found: dict[str, int] = {}
        for index, (value, _type) in enumerate(cells[1] if len(cells) > 1 else []):
            if isinstance(value, str):
                found.setdefault(value.strip(), index)
        missing = [column.key for column in SHEETS[name] if column.key not in found]
        for key in missing:
            self.problems.append(_problem(_l("The column “%(key)s” is missing from row 2. Do not delete columns or "
                                             "change the English headers in row 2.", key=key), name, 2))
        if overflow is not None:
            self.problems.append(_problem(_l("Only the first %(max)s rows of a sheet are read; the rows below were "
                                             "ignored.", max=MAX_ROWS), name, overflow))
        if missing:
            return [], {}
        letters = {column.key: get_column_letter(found[column.key] + 1) for column in SHEETS[name]}
        rows = []
        for number, line in enumerate(cells[FIRST_ROW - 1:], start=FIRST_ROW):
            values = {}
            for column in SHEETS[name]:
                text, message = cell_text(*line[found[column.key]], _TEXT)
                if message is not None:
                    self.cell_problems.append(_problem(message, name, number, letters[column.key]))
                    values[column.key] = None
                elif text:
                    values[column.key] = _value(column, text)
            if values:
                rows.append((number, values))
        return rows, letters

    def put(self, path: str, sheet: str, row: int | None, column: str | None = None, last: int | None = None):
        self.at[path] = (sheet, row, column, last)

    def fill(self, target: dict, path: str, sheet: str, row: int, values: dict, letters: dict, keys) -> None:
        for key in keys:
            if values.get(key) is not None:
                target[key] = values[key]
            self.put(f"{path}.{key}" if path else key, sheet, row, letters[key])

    def where(self, path: str) -> tuple:
        """The place of `path`, or of the nearest value that holds it."""
        while path not in self.at:
            path = path[:max(path.rfind("."), path.rfind("["), 0)]
        return self.at[path]

    def name(self, path: str) -> str:
        sheet, row, column, last = self.where(path)
        return _location(sheet, row, column, last)

    def located(self, problem: Problem) -> Problem:
        sheet, row, column, last = self.where(problem.path)
        return _problem(problem.message, sheet, row, column, last_row=last)

    def data(self) -> dict:
        data: dict[str, Any] = {}
        rows, letters = self.read("benchmark")
        self.cell_problems += [_problem(ONE_ROW, "benchmark", number) for number, _ in rows if number != FIRST_ROW]
        if letters:
            self.fill(data, "", "benchmark", FIRST_ROW, dict(rows[:1]).get(FIRST_ROW, {}), letters, letters)
        data["grade_bands"] = self.listed("grade_bands", *self.read("grade_bands"))
        data["knockouts"] = self.knockouts(*self.read("knockouts"))
        data["sections"] = self.listed("sections", *self.read("sections"))
        self.questions(data["sections"], self.read("questions"), self.read("options"), self.read("thresholds"))
        return data

    def listed(self, sheet: str, rows, letters) -> list[dict]:
        items = []
        for index, (number, values) in enumerate(rows):
            item: dict[str, Any] = {}
            self.put(f"{sheet}[{index}]", sheet, number)
            self.fill(item, f"{sheet}[{index}]", sheet, number, values, letters, letters)
            items.append(item)
        weight = letters.get("weight")  # the sum of the section weights is a problem of the whole column
        if rows and weight:
            self.put(sheet, sheet, rows[0][0], weight, rows[-1][0])
        else:
            self.put(sheet, sheet, rows[0][0] if rows else FIRST_ROW)
        return items

    def questions(self, sections: list[dict], questions, options, thresholds) -> None:
        by_section: dict[Any, tuple[int, list]] = {}
        for index, section in enumerate(sections):
            section["questions"] = by_section.setdefault(section.get("id") or index, (index, []))[1]
        rows, letters = questions
        by_id: dict[Any, tuple[dict, str]] = {}
        for number, values in rows:
            if not isinstance(values.get("section"), str) or values["section"] not in by_section:
                self.cell_problems.append(_problem(_l(
                    "There is no section “%(id)s” in the sections sheet. Write the id of the section this question "
                    "belongs to.", id=values.get("section") or ""), "questions", number, letters["section"]))
                continue
            index, listed = by_section[values["section"]]
            path = f"sections[{index}].questions[{len(listed)}]"
            question: dict[str, Any] = {}
            self.put(path, "questions", number, letters["id"])
            self.fill(question, path, "questions", number, values, letters, _QUESTION_KEYS)
            if values.get("prefill_fact") is not None:
                question["prefill"] = {"fact": values["prefill_fact"]}
            self.put(f"{path}.prefill", "questions", number, letters["prefill_fact"])
            listed.append(question)
            by_id.setdefault(question.get("id"), (question, path))
        self.items(by_id, "options", *options)
        self.items(by_id, "thresholds", *thresholds)

    def items(self, by_id: dict, sheet: str, rows, letters) -> None:
        """Options or thresholds, each row added to the question it names."""
        for number, values in rows:
            if not isinstance(values.get("question"), str) or values["question"] not in by_id:
                self.cell_problems.append(_problem(_l(
                    "There is no question “%(id)s” in the questions sheet. Write the id of the question this row "
                    "belongs to.", id=values.get("question") or ""), sheet, number, letters["question"]))
                continue
            question, path = by_id[values["question"]]
            items = question.setdefault(sheet, [])
            if not items:
                self.put(f"{path}.{sheet}", sheet, number, letters["points"])
            item: dict[str, Any] = {}
            self.put(f"{path}.{sheet}[{len(items)}]", sheet, number)
            self.fill(item, f"{path}.{sheet}[{len(items)}]", sheet, number, values, letters,
                      [key for key in letters if key != "question"])
            items.append(item)

    def knockouts(self, rows, letters) -> list[dict]:
        knockouts = []
        self.put("knockouts", "knockouts", None)
        for index, (number, values) in enumerate(rows):
            path = f"knockouts[{index}]"
            knockout: dict[str, Any] = {}
            self.put(path, "knockouts", number)
            self.fill(knockout, path, "knockouts", number, values, letters, ("id", "cap", "reason_zh", "reason_en"))
            when: dict[str, Any] = {}
            kind, operator = values.get("kind"), values.get("operator")
            if isinstance(kind, str):
                when[kind] = values.get("subject")
                self.put(f"{path}.when.{kind}", "knockouts", number, letters["subject"])
            if isinstance(operator, str):
                when[operator] = self.answers(operator, values.get("values"), number, letters["values"])
                self.put(f"{path}.when.{operator}", "knockouts", number, letters["values"])
            self.put(f"{path}.when", "knockouts", number, letters["kind"])
            knockout["when"] = when
            knockouts.append(knockout)
        return knockouts

    def answers(self, operator: str, text: Any, row: int, column: str) -> Any:
        if text is None:
            return None
        try:
            values = yaml.load(f"[{text}]", Loader=YamlLoader)  # a SafeLoader subclass
        except Exception:  # a YAML error, a number too long for int(), or nesting too deep for the parser
            self.cell_problems.append(_problem(BAD_VALUES, "knockouts", row, column))
            return None
        if operator == "equals" and len(values) != 1:
            self.cell_problems.append(_problem(ONE_VALUE, "knockouts", row, column))
            return None
        return values[0] if operator == "equals" else values


def _order(problem: Problem) -> tuple:
    sheets = ["", *SHEETS]
    return (sheets.index(problem.sheet) if problem.sheet in sheets else 0, problem.row or 0,
            len(problem.column or ""), problem.column or "")


def load_workbook(data: bytes, *, max_bytes: int = MAX_BYTES) -> tuple[Benchmark | None, list[Problem]]:
    """The benchmark in an .xlsx workbook, or None and every problem found, each naming its sheet and cell."""
    opened_problems: list = []
    workbook = open_workbook(data, max_bytes, opened_problems)
    if workbook is None:
        return None, [Problem("", problem.message) for problem in opened_problems]
    sheets = _Sheets(workbook)
    try:
        parsed = sheets.data()
    finally:
        workbook.close()
    if sheets.problems:  # what was read of a sheet without its columns would only add problems that follow from it
        return None, _listed(sheets.problems)
    benchmark, problems = check(parsed, name_of=sheets.name)
    reported = {(p.sheet, p.row, p.column) for p in sheets.cell_problems}
    problems = sheets.cell_problems + [p for p in map(sheets.located, problems)
                                       if (p.sheet, p.row, p.column) not in reported]
    if problems:
        return None, _listed(problems)
    return benchmark, []


def _listed(problems: list[Problem]) -> list[Problem]:
    problems = sorted(problems, key=_order)
    if len(problems) > MAX_PROBLEMS:
        problems[MAX_PROBLEMS:] = [Problem("", _l("More than %(max)s problems were found; only the first %(max)s "
                                                  "are listed.", max=MAX_PROBLEMS))]
    return problems


