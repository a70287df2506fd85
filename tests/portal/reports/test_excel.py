"""The Excel round trip: the template a supplier downloads, its import with located problems, and the export."""

import copy
import io
import os
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from flask_babel import LazyString, force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from portal.reports.excel import build_workbook, export_workbook, neutralise, read_workbook
from portal.reports.schema import SECTION_KEYS, Table, section


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context():
        yield


def q(value, unit=None):
    return {"v": value, "u": unit} if unit else {"v": value}


def waste(code, name, start, made, moved, end, unit="t", handler="", licence="", manifests=""):
    return {"code": q(code), "name": q(name), "stored_start": q(start, unit), "generated": q(made, unit),
            "transferred": q(moved, unit), "stored_end": q(end, unit), "handler": q(handler),
            "handler_licence": q(licence), "manifests": q(manifests)}


# A draft as the section forms store it: every item of a saved section, raw text as typed.
DRAFT = {
    "production": {"output_value": q("12,345.6", "10k_yuan"), "staff": q("480", "person"),
                   "operating_days": q("300", "day"),
                   "main_products": q("印制电路板 12 万 m²；连接器 350 万件\n- 含返工品")},
    "energy": {"electricity": q("1,234,500", "kWh"), "electricity_renewable": q("85.5", "MWh"),
               "natural_gas": q("12.3", "10k_Nm3"), "diesel": q("3.2", "t"), "gasoline": q("", "t"),
               "coal": q("", "t"), "lpg": q("450", "kg"), "purchased_heat": q("1200", "GJ")},
    "wastewater": {"volume": q("15600", "m3"), "destination": q("municipal"), "pollutants": [
        {"pollutant": q("COD"), "concentration": q("45.2", "mg_L"), "load": q("0.705", "t")},
        {"pollutant": q("Cu"), "concentration": q("120", "ug_L"), "load": q("1.9", "kg")},
    ]},
    "hazardous_waste": {"lines": [
        waste("900-041-49", "废矿物油与含矿物油废物", "0.2", "1.5", "1.4", "0.3", handler="深圳市危废处理有限公司",
              licence="440300-2023-045", manifests="4403202400123; 4403202400456"),
        waste("398-005-22", "含铜废液", "0", "850", "800", "50", unit="kg", handler="东江环保",
              licence="440300-2021-007", manifests="=4403202400789"),
        waste("336-064-17", "表面处理废物（污泥）", "1.1", "12.75", "13", "0.85"),
    ]},
    "certifications": {"certificates": [
        {"type": q("iso14001"), "number": q("02124E3456R1M"), "body": q("中国质量认证中心"),
         "expiry": q("2026-05-31")},
        {"type": q("cleaner_production"), "number": q(""), "body": q("深圳市生态环境局"), "expiry": q("2025-12-31")},
    ]},
    "violations": {"penalties": [
        {"date": q("2024-03-15"), "authority": q("深圳市生态环境局宝安管理局"),
         "decision_number": q("深环宝罚〔2024〕12号"), "amount": q("50000", "yuan"), "rectification": q("done")},
    ]},
}


def template(data=DRAFT):
    return build_workbook(data, site_name="宝安一厂", year=2024)


def edited(content: bytes, edit) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def key_row(ws, key):
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key)


def table_cell(ws, table_key, line, column_key):
    """(row, column) of a table line's cell, found through the grey key row."""
    keys = key_row(ws, table_key)
    column = next(c for c in range(2, ws.max_column + 1) if ws.cell(keys, c).value == column_key)
    return keys + 1 + line, column


def english(message):
    with force_locale("en"):
        return str(message)


def located(problems):
    return [(p.sheet, p.row, p.column, p.field_path) for p in problems]


def test_template_of_a_filled_draft_reads_back_the_same_raw_cells():
    result = read_workbook(template())

    assert result.problems == []
    for key, values in DRAFT.items():
        assert result.data[key] == values, key
    assert set(result.data) == set(SECTION_KEYS)
    water = result.data["water"]
    assert water["intake_municipal"] == q("", "m3") and result.data["air"] == {"emissions": []}


def test_template_has_one_sheet_per_section_after_bilingual_instructions():
    workbook = load_workbook(io.BytesIO(template()))

    assert workbook.sheetnames == ["说明 Instructions", *SECTION_KEYS]
    instructions = "\n".join(str(c.value) for c in workbook["说明 Instructions"]["A"] if c.value)
    assert instructions.index("请勿重命名") < instructions.index("do not rename")
    assert "10k_kWh = 万千瓦时 / 10,000 kWh" in instructions and "iso14001 = ISO 14001" in instructions
    energy = workbook["energy"]
    row = key_row(energy, "electricity")
    zh, en = energy.cell(row, 2).value.split("\n")
    assert en == "Electricity consumed" and zh != en
    assert energy.freeze_panes == "C3" and energy.cell(row, 3).number_format == "@"
    lists = {cell: v.formula1 for v in energy.data_validations.dataValidation for cell in str(v.sqref).split()}
    assert lists[f"D{row}"] == '"kWh,MWh,10k_kWh"'
    waste_sheet = workbook["hazardous_waste"]
    first = key_row(waste_sheet, "lines") + 1
    assert waste_sheet.cell(first + len(DRAFT["hazardous_waste"]["lines"]) + 19, 5).value == "t"  # 20 lines more
    choices = [v.formula1 for v in workbook["certifications"].data_validations.dataValidation]
    assert '"iso14001,iso50001,iso45001,cleaner_production,other"' in choices


def test_workbook_edited_like_a_user_reads_back_right():
    def edit(workbook):
        energy = workbook["energy"]
        energy.cell(key_row(energy, "electricity"), 3).value = 1234.5
        energy.cell(key_row(energy, "natural_gas"), 3).value = 1e6
        energy.cell(key_row(energy, "diesel"), 3).value = 3
        energy.cell(key_row(energy, "coal"), 3).value = 0.1 + 0.2
        energy.cell(key_row(energy, "coal"), 4).value = "千克"  # the unit's name instead of its code
        certificates = workbook["certifications"]
        certificates.cell(*table_cell(certificates, "certificates", 0, "expiry")).value = datetime(2027, 1, 31)
        for column, value in (("type", "iso45001"), ("number", 45001), ("expiry", date(2028, 6, 30))):
            certificates.cell(*table_cell(certificates, "certificates", 2, column)).value = value
        certificates.cell(*table_cell(certificates, "certificates", 40, "type")).value = "other"  # far below

    result = read_workbook(edited(template(), edit))

    assert result.problems == []
    energy = result.data["energy"]
    assert energy["electricity"] == q("1234.5", "kWh") and energy["natural_gas"] == q("1000000", "10k_Nm3")
    assert energy["diesel"] == q("3", "t") and energy["coal"] == q("0.3", "kg")
    lines = result.data["certifications"]["certificates"]
    assert lines[0]["expiry"] == q("2027-01-31")
    assert lines[2] == {"type": q("iso45001"), "number": q("45001"), "body": q(""), "expiry": q("2028-06-30")}
    assert lines[3]["type"] == q("other") and len(lines) == 4


def _set(sheet, key, column, value):
    def edit(workbook):
        ws = workbook[sheet]
        workbook[sheet].cell(key_row(ws, key), column).value = value
    return edit


def _set_line(sheet, table, line, column, value):
    def edit(workbook):
        ws = workbook[sheet]
        ws.cell(*table_cell(ws, table, line, column)).value = value
    return edit


def _without(*path):
    def change(data):
        target = data
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]
    return change


def _rename_key(workbook):
    ws = workbook["energy"]
    ws.cell(key_row(ws, "diesel"), 1).value = "柴油"


def _rename_column(workbook):
    ws = workbook["hazardous_waste"]
    ws.cell(*table_cell(ws, "lines", -1, "generated")).value = "produced"


def _too_many_lines(workbook):
    ws = workbook["certifications"]
    for line in range(2, 51):
        ws.cell(*table_cell(ws, "certificates", line, "type")).value = "other"


def _more_lines(data):
    data["certifications"]["certificates"] += [
        {"type": q("other"), "number": q(""), "body": q(""), "expiry": q("")} for _ in range(48)]


ENERGY, CERTS, WASTE = "energy", "certifications", "hazardous_waste"
PROBLEM_CASES = {
    "text in a number cell": (_set(ENERGY, "natural_gas", 3, "about 12"), [(ENERGY, 5, "C", "energy.natural_gas")],
                              _without(ENERGY, "natural_gas"), "Enter a number"),
    "unit not offered": (_set(ENERGY, "electricity", 4, "kg"), [(ENERGY, 3, "D", "energy.electricity")],
                         _without(ENERGY, "electricity"), "“kg” is not a unit of this field"),
    "formula in a field": (_set("production", "staff", 3, "=400+80"), [("production", 5, "C", "production.staff")],
                           _without("production", "staff"), "Formulas are not imported"),
    "choice not listed": (_set_line(CERTS, "certificates", 0, "type", "ISO9001"),
                          [(CERTS, 5, "B", "certifications.certificates.0.type")],
                          _without(CERTS, "certificates", 0, "type"), "“ISO9001” is not one of the options"),
    "date not YYYY-MM-DD": (_set_line(CERTS, "certificates", 1, "expiry", "31/12/2025"),
                            [(CERTS, 6, "E", "certifications.certificates.1.expiry")],
                            _without(CERTS, "certificates", 1, "expiry"), "YYYY-MM-DD"),
    "formula in a line": (_set_line(WASTE, "lines", 0, "generated", "=SUM(F5:F6)"),
                          [(WASTE, 5, "F", "hazardous_waste.lines.0.generated")],
                          _without(WASTE, "lines", 0, "generated"), "Formulas are not imported"),
    "text in a line's number": (_set_line(WASTE, "lines", 1, "stored_end", "约50"),
                                [(WASTE, 6, "J", "hazardous_waste.lines.1.stored_end")],
                                _without(WASTE, "lines", 1, "stored_end"), "Enter a number"),
    "unknown sheet": (lambda wb: wb.create_sheet("Sheet1"), [("Sheet1", None, None, None)], lambda data: None,
                      "not part of the report template"),
    "key renamed": (_rename_key, [(ENERGY, 6, "A", None), (ENERGY, None, None, "energy.diesel")],
                    _without(ENERGY, "diesel"), "“柴油” in column A is not a key"),
    "key column deleted": (lambda wb: wb["energy"].delete_cols(1), [(ENERGY, None, "A", None)], _without(ENERGY),
                           "Column A with the keys is missing"),
    "table column key renamed": (_rename_column, [(WASTE, 4, "F", "hazardous_waste.lines"),
                                                  (WASTE, 4, None, "hazardous_waste.lines")],
                                 _without(WASTE, "lines"), "“produced” is not a column of this table"),
    "more lines than allowed": (_too_many_lines, [(CERTS, 55, None, "certifications.certificates")], _more_lines,
                                "at most 50 lines"),
}


@pytest.mark.parametrize("case", PROBLEM_CASES)
def test_problem_is_located_and_changes_nothing_else(case):
    edit, where, change, text = PROBLEM_CASES[case]
    expected = read_workbook(template()).data
    change(expected)

    result = read_workbook(edited(template(), edit))

    assert located(result.problems) == where
    assert isinstance(result.problems[0].message, LazyString)  # translated where it is shown
    assert text in english(result.problems[0].message)
    assert result.data == expected


def test_rows_beyond_the_scanned_area_are_reported_not_read():
    result = read_workbook(edited(template(), lambda wb: wb["noise"].cell(1500, 3, "65")))

    assert located(result.problems) == [("noise", 1500, None, None)]
    assert "Only the first 1000 rows" in english(result.problems[0].message)


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (110 * 1024 * 1024))
    return buffer.getvalue()


BAD_FILES = {
    "empty": (lambda: b"", "The file is empty."),
    "not a zip": (lambda: b"name,value\nelectricity,12\n", "not an Excel workbook"),
    "truncated": (lambda: template()[:5000], "not an Excel workbook"),
    "bytes flipped": (lambda: bytes(b ^ 0x5A for b in template()), "not an Excel workbook"),
    "a Word document": (_docx, "not an Excel workbook"),
    "password-protected": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4096), "password-protected"),
    "6 MB": (lambda: os.urandom(6 * 1024 * 1024), "larger than 5 MB"),
    "unpacks to 110 MB": (_zip_bomb, "too much data (more than 50 MB unpacked)"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_unreadable_file_gives_one_clear_problem(case):
    make, text = BAD_FILES[case]

    result = read_workbook(make())

    assert result.data == {}
    assert located(result.problems) == [("", None, None, None)]
    assert text in english(result.problems[0].message)


@pytest.mark.parametrize(("text", "written"), [
    ("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-2", "'-2"), ("@cmd", "'@cmd"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("'=x", "''=x"), ("1,234.5", "1,234.5"), ("900-041-49", "900-041-49"), ("'quoted'", "'quoted'"),
])
def test_neutralise_quotes_text_excel_could_evaluate(text, written):
    assert neutralise(text) == written


def test_export_shows_numbers_as_numbers_and_formula_like_text_as_literal_text():
    data = copy.deepcopy(DRAFT)
    data["production"]["main_products"] = q("=SUM(A1)")
    data["hazardous_waste"]["lines"][0]["handler"] = q("+86 755 1234")
    title = [("供应商 Supplier", "=HYPERLINK(\"http://x\")"), ("统一社会信用代码 Credit code", "91440300MA5T00100X"),
             ("年度 Year", "2024"), ("状态 Status", "已通过 Accepted")]

    workbook = load_workbook(io.BytesIO(export_workbook(data, title_rows=title, labels=str)))

    assert workbook.sheetnames == ["报告 Report", *SECTION_KEYS]
    report = workbook["报告 Report"]
    assert report["B1"].value == "'=HYPERLINK(\"http://x\")" and report["B1"].data_type == "s"
    production = workbook["production"]
    products = production.cell(key_row(production, "main_products"), 3)
    assert products.value == "'=SUM(A1)" and products.data_type == "s"
    assert production.cell(key_row(production, "output_value"), 3).value == 12345.6
    energy = workbook["energy"]
    assert energy.cell(key_row(energy, "electricity"), 3).value == 1234500
    waste_sheet = workbook["hazardous_waste"]
    assert waste_sheet.cell(*table_cell(waste_sheet, "lines", 0, "handler")).value == "'+86 755 1234"
    lines = key_row(waste_sheet, "lines")
    assert waste_sheet.cell(lines + 4, 2).value is None  # no empty lines offered
    assert not any(ws.data_validations.dataValidation for ws in workbook.worksheets)


# Property: whatever a user types into the value cells, reading never raises, and every typed value either comes
# back in data or is named by a problem at its cell.
TARGETS = [("energy", "electricity"), ("energy", "diesel"), ("production", "staff"),
           ("production", "main_products"), ("wastewater", "destination"), ("noise", "day"),
           *((CERTS, "certificates", line, column) for line in range(3) for column in ("type", "number", "expiry")),
           *((WASTE, "lines", line, column) for line in range(2) for column in ("code", "name", "generated"))]
_FORMULA_LIKE = re.compile(r"''*[=+\-@\t\r]")
_TEXT = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn")) | st.sampled_from("\t\n\r")
CELL_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=date(1901, 1, 1), max_value=date(2100, 12, 31)), st.text(_TEXT, max_size=20),
    st.builds(lambda piece, times: piece * times, st.text(_TEXT, min_size=1, max_size=4), st.integers(3000, 9000)),
    st.text(_TEXT, max_size=15).map(lambda text: "=" + text),
    st.sampled_from(["=SUM(C3:C4)", "+1", "-2", "@cmd", "'=x", " 1,234.5 ", "１２３４", "900-041-49", "iso14001",
                     "municipal", "2026-03-31", "kWh", "TRUE", "1e3"]),
)


def _expected_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return None  # numbers are compared by value below
    value = value[:32767]  # Excel's limit for a cell; openpyxl cuts longer text as it is assigned
    return (value[1:] if _FORMULA_LIKE.match(value) else value).strip()


def _cells_of(workbook):
    """target -> (sheet, row, column letter, spec)"""
    cells = {}
    for target in TARGETS:
        sec = section(target[0])
        ws = workbook[target[0]]
        if len(target) == 2:
            row, column, spec = key_row(ws, target[1]), 3, sec.item(target[1])
        else:
            table = sec.item(target[1])
            assert isinstance(table, Table)
            row, column = table_cell(ws, target[1], target[2], target[3])
            spec = next(c for c in table.columns if c.key == target[3])
        cells[target] = (target[0], row, get_column_letter(column), spec)
    return cells


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.dictionaries(st.sampled_from(TARGETS), CELL_VALUES, max_size=8))
def test_any_typed_values_come_back_or_are_named_by_a_problem(typed):
    blank = template({})
    workbook = load_workbook(io.BytesIO(blank))
    where = _cells_of(workbook)
    for target, value in typed.items():
        sheet, row, column, _spec = where[target]
        workbook[sheet][f"{column}{row}"].value = value
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = read_workbook(buffer.getvalue())

    flagged = {(p.sheet, p.row, p.column) for p in result.problems}
    assert flagged <= {cell[:3] for target, cell in where.items() if target in typed}, result.problems
    for target, value in typed.items():
        sheet, row, column, spec = where[target]
        if (sheet, row, column) in flagged:
            continue
        if len(target) == 2:
            stored = result.data[sheet][target[1]]
        else:
            # Blank lines are dropped, so a line's index counts the lines above it that hold something.
            filled = {t[2] for t in typed if len(t) == 4 and t[:2] == target[:2]
                      and (where[t][:3] in flagged or _expected_text(typed[t]) != "")}
            if target[2] not in filled:
                continue
            stored = result.data[sheet][target[1]][sum(line < target[2] for line in filled)][target[3]]
        expected = _expected_text(value)
        if expected is None:
            assert "e" not in stored["v"].lower()
            assert abs(Decimal(stored["v"]) - Decimal(value)) <= abs(Decimal(value)) * Decimal("1e-14")
        else:
            assert stored["v"] == expected
        assert stored.get("u") == spec.default_unit


def test_blank_lines_of_a_draft_are_dropped_on_the_way_back():
    data = copy.deepcopy(DRAFT)
    lines = data["hazardous_waste"]["lines"]
    lines.insert(1, waste("", " ", "", "", "", ""))

    result = read_workbook(template(data))

    assert result.problems == []
    assert result.data["hazardous_waste"] == DRAFT["hazardous_waste"]


def test_a_number_beyond_what_excel_can_hold_is_a_problem_not_infinity():
    # Found by the property test above: 1.7976931348623157e308 is written rounded to 15 digits, which is
    # more than a float can hold, so it reads back as infinity.
    result = read_workbook(edited(template(), _set("energy", "electricity", 3, 1.7976931348623157e308)))
    assert [(p.sheet, p.field_path) for p in result.problems] == [("energy", "energy.electricity")]
    assert "1234.5" in english(result.problems[0].message)
