"""A benchmark as an Excel workbook: export → import gives back the same benchmark, the import checks it with the
validator of the YAML import, every problem names its sheet and cell, and no file makes it raise."""

import io
from pathlib import Path

import openpyxl
import pytest
from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from portal.assessment.benchmark import check, from_dict, load_yaml
from portal.assessment.benchmark_excel import SHEETS, dump_workbook, load_workbook

PROGRAMME = Path(__file__).parents[3] / "portal/assessment/data/programme_benchmark.yaml"


@pytest.fixture(autouse=True)
def english(app):
    with app.test_request_context(), force_locale("en"):
        yield


def small() -> dict:
    """Rows 3 and below of each sheet: sections S1 (3), S2 (4); questions Q1 (3), Q2 (4), Q3 (5); Q2's options
    (3, 4); Q3's thresholds (3, 4); knock-outs KO-red (3), KO-q1 (4)."""
    return {
        "id": "small", "version": 2, "owner": "programme", "title_zh": "小基准", "title_en": "Small benchmark",
        "grade_bands": [{"grade": "A", "min": 80, "label_zh": "优", "label_en": "Good"},
                        {"grade": "D", "min": 0, "label_zh": "差", "label_en": "Poor"}],
        "knockouts": [
            {"id": "KO-red", "when": {"fact": "credit_rating", "in": ["red", "yellow"]}, "cap": "D",
             "reason_zh": "红牌", "reason_en": "Red"},
            {"id": "KO-q1", "when": {"question": "Q1", "equals": "no"}, "cap": "D", "reason_zh": "无",
             "reason_en": "No"},
        ],
        "sections": [
            {"id": "S1", "title_zh": "管理", "title_en": "Management", "weight": 60, "questions": [
                {"id": "Q1", "type": "yes_partly_no", "text_zh": "有？", "text_en": "Has it?", "weight": 1,
                 "evidence": "required", "effort": "low", "prefill": {"fact": "certification.iso14001_valid"}},
                {"id": "Q2", "type": "choice", "text_zh": "多少？", "text_en": "How many?", "weight": 2.5,
                 "options": [{"value": "none", "label_zh": "无", "label_en": "None", "points": 0},
                             {"value": "all", "label_zh": "全部", "label_en": "All", "points": 1}],
                 "evidence": "optional", "effort": "medium"},
            ]},
            {"id": "S2", "title_zh": "能源", "title_en": "Energy", "weight": 40, "questions": [
                {"id": "Q3", "type": "number", "text_zh": "强度", "text_en": "Intensity", "unit": "percent",
                 "weight": 1, "thresholds": [{"max": -5, "points": 1}, {"max": 0, "points": 0.5}],
                 "higher_is_better": False, "evidence": "none", "effort": "high"},
            ]},
        ],
    }


def edited(change, data: dict | None = None) -> bytes:
    """The small benchmark's workbook after `change(workbook)`."""
    workbook = openpyxl.load_workbook(io.BytesIO(dump_workbook(from_dict(data or small()))))
    change(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def problems_of(content: bytes) -> dict[str, list[str]]:
    benchmark, problems = load_workbook(content)
    assert benchmark is None and problems
    found: dict[str, list[str]] = {}
    for problem in problems:
        found.setdefault(problem.path, []).append(str(problem.message))
    return found


def test_the_programme_benchmark_survives_export_and_import():
    benchmark, problems = load_yaml(PROGRAMME.read_text(encoding="utf-8"))
    assert problems == []
    again, problems = load_workbook(dump_workbook(benchmark))
    assert problems == []
    assert again.to_dict() == benchmark.to_dict()


def test_the_workbook_has_bilingual_headers_frozen_panes_and_lists_for_closed_sets():
    workbook = openpyxl.load_workbook(io.BytesIO(dump_workbook(from_dict(small()))))
    questions = workbook["questions"]
    assert [c.value for c in questions[2]][:3] == ["section", "id", "type"]
    assert questions["C1"].value == "题型"
    assert questions.freeze_panes == "C3"
    lists = {str(v.sqref): v.formula1 for v in questions.data_validations.dataValidation}
    assert lists["C3:C1000"] == '"yes_partly_no,choice,number"'
    assert lists["I3:I1000"] == '"required,optional,none"'
    assert lists["N3:N1000"] == '"low,medium,high"'
    assert lists["H3:H1000"] == '"TRUE,FALSE"'
    knockouts = {str(v.sqref): v.formula1 for v in workbook["knockouts"].data_validations.dataValidation}
    assert knockouts["F3:F1000"] == '"A,D"'  # cap: the benchmark's grades
    assert [workbook["knockouts"][f"E{row}"].value for row in (3, 4)] == ["red, yellow", "no"]
    assert workbook["questions"]["D3"].value == "有？"
    assert workbook["sections"].column_dimensions["B"].width == 30


def test_formula_like_text_is_neutralised_on_export_and_restored_on_import():
    data = small()
    data["title_en"] = "=HYPERLINK(\"http://x\")"
    data["sections"][0]["questions"][0]["text_en"] = "+1 more"
    benchmark = from_dict(data)
    workbook = openpyxl.load_workbook(io.BytesIO(dump_workbook(benchmark)))
    assert workbook["benchmark"]["E3"].value == "'=HYPERLINK(\"http://x\")"
    assert workbook["benchmark"]["E3"].data_type == "s"
    assert workbook["questions"]["E3"].value == "'+1 more"
    again, problems = load_workbook(dump_workbook(benchmark))
    assert problems == []
    assert again == benchmark


@pytest.mark.parametrize("content, words", [
    (b"", "empty"),
    (b"id: x\nversion: 1\n", "not an Excel workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old .xls format"),
])
def test_a_file_that_is_not_a_workbook_is_one_problem_of_the_whole_file(content, words):
    found = problems_of(content)
    assert list(found) == [""]
    assert words in found[""][0]


def test_a_damaged_workbook_is_one_problem_of_the_whole_file():
    content = dump_workbook(from_dict(small()))
    found = problems_of(content[: len(content) // 2])
    assert list(found) == [""]
    assert "damaged" in found[""][0]


def test_a_missing_sheet_is_named():
    found = problems_of(edited(lambda wb: wb.remove(wb["options"])))
    assert list(found) == ["options"]
    assert "sheet is missing" in found["options"][0]


def test_a_missing_column_is_named_in_its_header_row():
    found = problems_of(edited(lambda wb: wb["questions"].delete_cols(7)))  # weight
    assert found == {"questions!2:2": ["The column “weight” is missing from row 2. Do not delete columns or change "
                                       "the English headers in row 2."]}


def test_columns_are_found_by_their_english_header_wherever_they_are():
    def move(wb):
        wb["sections"].insert_cols(1)
        wb["sections"]["A2"] = "notes"
    again, problems = load_workbook(edited(move))
    assert problems == []
    assert again == from_dict(small())


def test_a_text_where_a_number_is_expected_names_its_cell():
    found = problems_of(edited(lambda wb: wb["questions"].cell(4, 7, "lots")))
    assert found == {"questions!G4": ["Expected a number here (such as 12 or 0.5), written without quotes."]}


def test_a_number_typed_as_text_is_a_number_and_a_number_typed_as_an_id_is_text():
    def change(wb):
        wb["questions"]["G4"] = "2.5"
        wb["sections"]["A4"], wb["questions"]["A5"] = 2, 2
    again, problems = load_workbook(edited(change))
    assert problems == []
    assert [s.id for s in again.sections] == ["S1", "2"]
    assert again.question("Q2").weight == 2.5


def test_duplicate_ids_name_both_cells():
    def copy_row(wb):  # Q1 copied into a new row 6
        wb["questions"].append([cell.value for cell in wb["questions"][3]])
        wb["knockouts"].append([cell.value for cell in wb["knockouts"][4]])
    found = problems_of(edited(copy_row))
    assert found == {"questions!B6": ["“Q1” is used twice (first at questions!B3). Each must be different."],
                     "knockouts!A5": ["“KO-q1” is used twice (first at knockouts!A4). Each must be different."]}


def test_section_weights_that_do_not_add_up_name_the_weight_column():
    found = problems_of(edited(lambda wb: wb["sections"].cell(4, 4, 30)))
    assert found == {"sections!D3:D4": ["The section weights add up to 90, but they must add up to 100. Change them "
                                        "so that their sum is exactly 100."]}


def test_an_unknown_question_type_names_its_cell():
    found = problems_of(edited(lambda wb: wb["questions"].cell(3, 3, "slider")))
    assert list(found) == ["questions!C3"]
    assert "“slider” is not allowed here. Use one of: yes_partly_no, choice, number." in found["questions!C3"][0]


def test_problems_carry_sheet_row_and_column():
    _benchmark, (problem,) = load_workbook(edited(lambda wb: wb["questions"].cell(3, 3, "slider")))
    assert (problem.sheet, problem.row, problem.column) == ("questions", 3, "C")


def test_a_formula_is_not_imported():
    found = problems_of(edited(lambda wb: wb["options"].cell(4, 5, "=0.5+0.5")))
    assert found == {"options!E4": ["Formulas are not imported. Copy the cells and paste them as values."]}


def test_rows_that_name_an_unknown_section_or_question_are_reported():
    def change(wb):
        wb["questions"]["A5"] = "S9"
        wb["thresholds"]["A4"] = "Q9"
    found = problems_of(edited(change))
    assert found["questions!A5"] == ["There is no section “S9” in the sections sheet. Write the id of the section "
                                     "this question belongs to."]
    assert "There is no question “Q9”" in found["thresholds!A4"][0]


def test_problems_of_options_thresholds_and_knockouts_name_their_cells():
    def change(wb):
        wb["options"]["E4"] = 0.8  # no option is worth 1 point
        wb["thresholds"]["C4"] = -9  # not higher than the max before it
        wb["knockouts"]["E4"] = "maybe"  # not an answer of Q1
        wb["knockouts"]["F3"] = "E"  # not a grade
    found = problems_of(edited(change))
    assert set(found) == {"options!E3", "thresholds!C4", "knockouts!E4", "knockouts!F3"}
    assert "No option is worth 1 point" in found["options!E3"][0]
    assert "cannot have the answer “maybe”" in found["knockouts!E4"][0]


@pytest.mark.parametrize("values, operator, message", [
    ("red, [", "in", "Write the values separated by commas"),
    ("no, yes", "equals", "exactly one value"),
])
def test_knockout_values_that_cannot_be_read_name_their_cell(values, operator, message):
    def change(wb):
        wb["knockouts"]["E4"], wb["knockouts"]["D4"] = values, operator
    found = problems_of(edited(change))
    assert list(found) == ["knockouts!E4"]
    assert message in found["knockouts!E4"][0]


def test_missing_required_values_name_the_cell_to_fill():
    def change(wb):
        wb["benchmark"]["E3"] = None  # title_en
        wb["grade_bands"]["D4"] = None  # label_en
    found = problems_of(edited(change))
    assert found == {"benchmark!E3": ["“title_en” is missing. Add it here."],
                     "grade_bands!D4": ["“label_en” is missing. Add it here."]}


positions = st.tuples(st.sampled_from(list(SHEETS)), st.integers(1, 7), st.integers(1, 17))
cell_values = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30).map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)),
    st.sampled_from(["=1+1", "'=x", "yes", "no", "TRUE", "choice", "number", "[", "{a: b}", "a, b", "S1", "S2", "Q1",
                     "Q2", "Q3", "in", "equals", "fact", "question", "1e400", "NaN", "-", "1" * 5000, "[" * 500,
                     "weight", "id", "*a", "&a x", "A", "D", "0.5", "-5"]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(positions, cell_values), min_size=1, max_size=6))
def test_any_cell_values_never_crash_the_import_nor_pass_an_invalid_benchmark(changes):
    def change(wb):
        for (sheet, row, column), value in changes:
            wb[sheet].cell(row, column, value)
    benchmark, problems = load_workbook(edited(change))
    if benchmark is None:
        assert problems
        assert all(p.sheet in ("", *SHEETS) and str(p.message) for p in problems)
    else:
        assert problems == []
        assert check(benchmark.to_dict())[1] == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.integers(0, 4000), garbage=st.binary(min_size=1, max_size=64))
def test_damaged_bytes_never_crash_the_import(start, garbage):
    content = bytearray(dump_workbook(from_dict(small())))
    content[start:start + len(garbage)] = garbage
    benchmark, problems = load_workbook(bytes(content))
    assert (benchmark is None) == bool(problems)
