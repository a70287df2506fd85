"""Reading a file of credit ratings or penalty records (CSV or Excel): every problem located by row and column,
every good row read. Row 1 names the columns (English keys or the Chinese headings of the authorities' lists);
what the columns are tells a ratings file from a penalties file.

Untrusted input: the size is checked, an Excel file is opened through the annual reports' reader, and at most
MAX_ROWS rows are read; nothing raises.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from openpyxl.utils import get_column_letter

from portal.files import OLE_MAGIC
from portal.orgs.credit_code import find_problem, normalise
from portal.orgs.forms import credit_code_message
from portal.reports.excel import Problem
from portal.reports.excel_import import cell_text, open_workbook
from portal.reports.schema import Field
from portal.reports.values import parse

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000


@dataclass(frozen=True)
class Column:
    key: str
    headings: tuple[str, ...]  # the Chinese headings accepted besides the key itself
    spec: Field
    required: bool = True


def _text(max_length: int) -> Field:
    return Field("", "", kind="text", max_length=max_length)


CREDIT_CODE = Column("credit_code", ("统一社会信用代码", "信用代码"), _text(40))
RATING_COLUMNS = (
    CREDIT_CODE,
    Column("year", ("年度", "评价年度"), Field("", "", kind="integer")),
    Column("level", ("等级", "评价等级", "评价结果"), _text(40)),
    Column("score", ("得分", "分数", "评价得分"), Field("", "", kind="decimal"), required=False),
    Column("issuer", ("发布机关", "评价机关", "发布单位"), _text(200), required=False),
)
PENALTY_COLUMNS = (
    CREDIT_CODE,
    Column("decided_on", ("date", "处罚日期", "决定日期"), Field("", "", kind="date")),
    Column("decision_number", ("决定书文号", "处罚决定书文号", "文号"), _text(100)),
    Column("violation", ("违法行为", "违法事实", "主要违法事实"), _text(4000)),
    Column("penalty", ("处罚内容", "处罚结果", "处罚种类"), _text(1000)),
    Column("status", ("整改状态", "状态"), _text(40)),
    Column("major", ("是否重大", "重大违法"), _text(10), required=False),
)
KINDS = {"ratings": RATING_COLUMNS, "penalties": PENALTY_COLUMNS}

LEVEL_WORDS = {
    "green": ("green", "绿", "绿牌", "绿色", "环保诚信企业", "诚信"),
    "blue": ("blue", "蓝", "蓝牌", "蓝色", "环保良好企业", "良好"),
    "yellow": ("yellow", "黄", "黄牌", "黄色", "环保警示企业", "警示"),
    "red": ("red", "红", "红牌", "红色", "环保不良企业", "不良"),
}
STATUS_WORDS = {
    "open": ("open", "not rectified", "未整改"),
    "rectifying": ("rectifying", "in progress", "整改中"),
    "rectified": ("rectified", "已整改", "整改完毕", "已完成整改"),
}
YES_NO = {True: ("yes", "y", "true", "1", "是", "重大"), False: ("no", "n", "false", "0", "否", "一般")}
# 深环规〔2023〕3号: 100 points; ≥90 green (环保诚信), 75 to <90 blue (良好), 60 to <75 yellow (警示), <60 red (不良).
SHENZHEN_BANDS = (("green", Decimal(90)), ("blue", Decimal(75)), ("yellow", Decimal(60)), ("red", Decimal(0)))
BAND_TEXTS = {"green": "≥ 90", "blue": "75 – < 90", "yellow": "60 – < 75", "red": "< 60"}
LEVEL_LABELS = {"green": _l("green"), "blue": _l("blue"), "yellow": _l("yellow"), "red": _l("red")}
STATUS_LABELS = {"open": _l("not rectified"), "rectifying": _l("rectification in progress"),
                 "rectified": _l("rectified")}

NOT_READABLE = _l("This is neither a CSV file (UTF-8 or GB18030 text) nor an Excel workbook (.xlsx).")
NO_HEADER = _l("Row 1 names no known columns. A ratings file needs credit_code, year and level; a penalties file "
               "credit_code, decided_on, decision_number, violation, penalty and status (or their Chinese headings).")
REQUIRED = _l("This value is required.")


def band_of(score: Decimal) -> str:
    return next(level for level, minimum in SHENZHEN_BANDS if score >= minimum)


def _words(table: dict) -> dict[str, object]:
    return {word.casefold(): key for key, words in table.items() for word in words}


_LEVELS, _STATUSES, _YES_NO = _words(LEVEL_WORDS), _words(STATUS_WORDS), _words(YES_NO)
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def _word(words: dict[str, object], text: str, message) -> tuple[object, object]:
    """(value, None) of a word the table knows in any of its spellings, else (None, message)."""
    value = words.get(unicodedata.normalize("NFKC", text).strip().casefold())
    return (value, None) if value is not None else (None, message)


@dataclass(frozen=True)
class Row:
    number: int
    values: dict  # column key -> value read (str, int, Decimal, date, bool or None)


@dataclass
class ParsedFile:
    kind: str | None = None
    rows: list[Row] = field(default_factory=list)  # the good rows
    problems: list[Problem] = field(default_factory=list)
    invalid_rows: set[int] = field(default_factory=set)

    @property
    def blocked(self) -> bool:
        """A problem with the file as a whole (no row to blame): nothing of it is imported."""
        return any(p.row is None for p in self.problems)


def read(content: bytes, *, legacy_codes: frozenset[str] = frozenset()) -> ParsedFile:
    """`legacy_codes`: codes registered by a platform admin although they fail the check character."""
    parsed = ParsedFile()
    grid = read_grid(content, parsed.problems)
    if grid is None:
        return parsed
    header = next(iter(grid), [])
    parsed.kind, at = _columns([str(value or "") for value, _type in header])
    if parsed.kind is None:
        parsed.problems.append(Problem("", None, None, NO_HEADER))
        return parsed
    for column in KINDS[parsed.kind]:
        if column.required and column.key not in at:
            parsed.problems.append(Problem("", None, None, _l(
                "The column “%(key)s” (%(heading)s) is missing from row 1.", key=column.key,
                heading=column.headings[0])))
    if parsed.blocked:
        return parsed
    _RowReader(parsed, at, legacy_codes).read_all(grid)
    return parsed


def read_grid(content: bytes, problems: list[Problem]) -> list[list[tuple[object, str]]] | None:
    if not content:
        problems.append(Problem("", None, None, _l("The file is empty.")))
        return None
    if len(content) > MAX_BYTES:
        problems.append(Problem("", None, None, _l("The file is larger than 10 MB. Split it into several files.")))
        return None
    if content.startswith((b"PK\x03\x04", OLE_MAGIC)):
        return _sheet(content, problems)  # the reader says what is wrong with a workbook it cannot open
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        problems.append(Problem("", None, None, NOT_READABLE))
        return None
    if "\0" in text:
        problems.append(Problem("", None, None, NOT_READABLE))
        return None
    rows = []
    try:
        for line in csv.reader(io.StringIO(text, newline="")):
            rows.append([(value, "s") for value in line])
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error:  # a cell longer than the csv module's field limit (128 KiB), or a broken quote
        problems.append(Problem("", None, None, _l("Row %(row)d of the CSV file cannot be read: a cell is too long "
                                                    "or a quote is not closed.", row=len(rows) + 1)))
        return None
    return rows


def _sheet(content: bytes, problems: list[Problem]) -> list[list[tuple[object, str]]] | None:
    workbook = open_workbook(content, MAX_BYTES, problems)
    if workbook is None:
        return None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=len(PENALTY_COLUMNS) + 20):
            rows.append([(c.value, getattr(c, "data_type", "n")) for c in row])
        return rows
    except Exception:  # a damaged sheet, or a chart sheet
        problems.append(Problem("", None, None, _l("The first sheet of the workbook could not be read.")))
        return None
    finally:
        workbook.close()


def _heading_keys(text: str) -> set[str]:
    """A heading may be the key, a Chinese heading, or both on two lines (“等级\nlevel”)."""
    parts = {text.strip()} | {line.strip() for line in text.splitlines()} | set(text.split())
    return {unicodedata.normalize("NFKC", part).casefold() for part in parts if part}


def _columns(header: list[str]) -> tuple[str | None, dict[str, int]]:
    """(kind, column key -> 0-based position) from row 1."""
    best_kind, best = None, {}
    for kind, columns in KINDS.items():
        at = {}
        for position, text in enumerate(header):
            names = _heading_keys(text)
            for column in columns:
                if column.key not in at and names & {column.key, *column.headings}:
                    at[column.key] = position
        distinctive = {"ratings": "level", "penalties": "decision_number"}[kind]
        if distinctive in at and len(at) > len(best):
            best_kind, best = kind, at
    return best_kind, best


class _RowReader:
    def __init__(self, parsed: ParsedFile, at: dict[str, int], legacy_codes: frozenset[str]):
        self.parsed, self.at, self.legacy_codes = parsed, at, legacy_codes
        self.columns = [c for c in KINDS[parsed.kind] if c.key in at]
        self.seen: dict[tuple, int] = {}

    def problem(self, number: int, key: str, message) -> None:
        self.parsed.problems.append(Problem("", number, get_column_letter(self.at[key] + 1), message))
        self.parsed.invalid_rows.add(number)

    def read_all(self, grid: list[list[tuple[object, str]]]) -> None:
        for number, cells in enumerate(grid[1:], start=2):
            if number > MAX_ROWS + 1:
                self.parsed.problems.append(Problem("", None, None, _l(
                    "The file has more than %(max)s rows. Split it into several files.", max=MAX_ROWS)))
                self.parsed.rows.clear()
                return
            values = self.read_row(number, cells)
            if values is not None and number not in self.parsed.invalid_rows:
                self.parsed.rows.append(Row(number, values))

    def read_row(self, number: int, cells: list[tuple[object, str]]) -> dict | None:
        texts = {}
        for column in self.columns:
            position = self.at[column.key]
            value, data_type = cells[position] if position < len(cells) else (None, "n")
            text, message = cell_text(value, data_type, column.spec)
            if message is not None:
                self.problem(number, column.key, message)
            texts[column.key] = text
        if not any(texts.values()) and number not in self.parsed.invalid_rows:
            return None  # a blank line
        values = {}
        for column in self.columns:
            text = texts[column.key]
            if not text:
                if column.required:
                    self.problem(number, column.key, REQUIRED)
                values[column.key] = None
                continue
            reader = getattr(self, f"read_{column.key}", None)
            value, message = reader(text) if reader else self.read_value(column, text)
            if message is not None:
                self.problem(number, column.key, message)
            values[column.key] = value
        self.cross_check(number, values)
        return values

    @staticmethod
    def read_value(column: Column, text: str):
        result = parse(column.spec, {"v": text})
        return result.value, result.error

    def read_credit_code(self, text: str):
        code = normalise(text)
        problem = find_problem(code)
        if problem is None or (problem.kind == "check_digit" and code in self.legacy_codes):
            return code, None
        return None, credit_code_message(problem)

    def read_year(self, text: str):
        year, message = self.read_value(RATING_COLUMNS[1], text)
        if message is not None or not 2000 <= year <= 2100:
            return None, _l("“%(value)s” is not a rating year: enter four digits, for example 2024.",
                            value=text[:40])
        return year, None

    @staticmethod
    def read_level(text: str):
        return _word(_LEVELS, text, _l("“%(value)s” is not a level: use green, blue, yellow or red (绿牌, 蓝牌, 黄牌, "
                                       "红牌).", value=text[:40]))

    def read_score(self, text: str):
        score, message = self.read_value(RATING_COLUMNS[3], text)
        if message is None and not 0 <= score <= 100:
            message = _l("A score is between 0 and 100 points.")
        # Stored to 0.01 points: a finer score would differ from its record on every re-import.
        return (score.quantize(Decimal("0.01"), ROUND_HALF_UP) if message is None else None), message

    def read_decided_on(self, text: str):
        found = _DATE.fullmatch(unicodedata.normalize("NFKC", text))
        iso = f"{found[1]}-{int(found[2]):02d}-{int(found[3]):02d}" if found else text
        value, message = self.read_value(PENALTY_COLUMNS[1], iso)
        if message is not None:
            return None, _l("“%(value)s” is not a date: write it as YYYY-MM-DD, for example 2025-03-31.",
                            value=text[:40])
        return value, None

    @staticmethod
    def read_status(text: str):
        return _word(_STATUSES, text, _l("“%(value)s” is not a status: use open, rectifying or rectified (未整改, "
                                         "整改中, 已整改).", value=text[:40]))

    @staticmethod
    def read_major(text: str):
        return _word(_YES_NO, text, _l("“%(value)s” is not yes or no (是 or 否); leave it empty where the source "
                                       "does not say.", value=text[:40]))

    def cross_check(self, number: int, values: dict) -> None:
        if self.parsed.kind == "ratings":
            score, level = values.get("score"), values.get("level")
            if score is not None and level is not None and band_of(score) != level:
                band = band_of(score)
                self.problem(number, "level", _l(
                    "The score %(score)s falls in the %(band)s band (%(range)s points) of Shenzhen's scheme, but the "
                    "level given is %(level)s.", score=format(score.normalize(), "f"), band=LEVEL_LABELS[band],
                    range=BAND_TEXTS[band],
                    level=LEVEL_LABELS[level]))
            key, at = (values.get("credit_code"), values.get("year")), "year"
        else:
            key, at = (values.get("decision_number"),), "decision_number"
        if None in key:
            return
        if key in self.seen:
            self.problem(number, at, _l("Row %(row)d already holds this record; only that row is read.",
                                        row=self.seen[key]))
        else:
            self.seen[key] = number
