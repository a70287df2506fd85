from __future__ import annotations

import ast
import csv
import shutil
from pathlib import Path

import pytest

from portal.reports import hazardous_waste as hw
from portal.reports.hazardous_waste import (
    CATEGORY_TABLE_COMPLETE,
    CODE_COLUMNS,
    EDITIONS,
    categories,
    check_code,
    lookup,
    normalise_code,
    read_categories_csv,
    read_codes_csv,
)

HEADER = ",".join(CODE_COLUMNS) + "\n"


def data_rows(path: Path) -> list[dict[str, str]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines))


def absent_code(category_digits: str, edition: int = 2025) -> str:
    """A well-formed code of that category that the bundled list does not hold (whatever it holds later)."""
    return next(code for n in range(1000) if lookup(code := f"900-{n:03d}-{category_digits}", edition) is None)


@pytest.fixture
def fixture_data_dir(tmp_path, monkeypatch):
    """A data folder with the bundled category table and one 2025 entry whose texts are left empty."""
    shutil.copy(hw.categories_path(), tmp_path / "hw_categories.csv")
    (tmp_path / "hw_codes_2025.csv").write_text(HEADER + "900-041-49,HW49,,,,2025\n", encoding="utf-8")
    (tmp_path / "hw_codes_2021.csv").write_text(HEADER, encoding="utf-8")
    monkeypatch.setattr(hw, "DATA_DIR", tmp_path)
    hw.clear_cache()
    yield tmp_path
    monkeypatch.undo()
    hw.clear_cache()


# Format and normalisation

@pytest.mark.parametrize(("typed", "expected"), [
    ("336-064-17", "336-064-17"),
    ("33606417", "336-064-17"),
    (" 336-064-17 ", "336-064-17"),
    ("336 064 17", "336-064-17"),
    ("3360 6417\t", "336-064-17"),
    ("\u3000900-041-49\u3000", "900-041-49"),  # ideographic spaces
    ("３３６－０６４－１７", "336-064-17"),  # full-width digits and hyphen
    ("３３６０６４１７", "336-064-17"),
    ("336–064–17", "336-064-17"),  # en dash
    ("336—064—17", "336-064-17"),  # em dash
])
def test_typed_codes_are_normalised_to_dashed_form(typed, expected):
    assert normalise_code(typed) == expected
    assert check_code(typed).code == expected


@pytest.mark.parametrize("typed", [
    "336-064-1", "336-064-177", "3360641", "336064177", "33-6064-17", "336-06417", "336064-17",
    "336_064_17", "336.064.17", "336-064-17-01", "ABC-DEF-GH", "HW17", "HW17-336-064-17",
    "٣٣٦٠٦٤١٧",  # Arabic-Indic digits are not the list's digits
])
def test_malformed_codes_are_invalid(typed):
    assert normalise_code(typed) is None
    result = check_code(typed)
    assert (result.status, result.message_key, result.code, result.category) == (
        "invalid", "invalid_format", None, None)
    assert not result.is_warning


@pytest.mark.parametrize("typed", [None, "", "   ", "\u3000"])
def test_blank_input_is_invalid_as_empty(typed):
    result = check_code(typed)
    assert (result.status, result.message_key) == ("invalid", "empty")


# Category mapping

@pytest.mark.parametrize(("code", "category"), [
    ("900-041-49", "HW49"), ("336-064-17", "HW17"), ("900-214-08", "HW08"), ("261-057-34", "HW34"),
])
def test_category_is_the_last_two_digits(code, category):
    assert hw.category_of(code) == category
    assert check_code(code).category == category


def test_bundled_category_names_are_shown():
    names = dict(categories())
    assert names["HW17"] == "表面处理废物"
    assert names["HW49"] == "其他废物"
    assert names["HW08"] == "废矿物油与含矿物油废物"


def test_category_with_conflicting_sources_has_no_name():
    assert dict(categories())["HW48"] == ""


def test_categories_come_in_code_order():
    codes = [code for code, _ in categories()]
    assert codes == sorted(codes)
    assert "HW41" not in codes


def test_code_outside_the_category_table_is_reported_by_key():
    result = check_code("900-041-41")
    expected_status = "invalid" if CATEGORY_TABLE_COMPLETE else "unknown"
    assert (result.status, result.message_key, result.category) == (expected_status, "unknown_category", "HW41")


# Unknown and known codes

@pytest.mark.parametrize("edition", EDITIONS)
def test_well_formed_code_missing_from_the_bundle_is_a_warning(edition):
    code = absent_code("49", edition)
    result = check_code(code, edition=edition)
    assert (result.status, result.message_key, result.category, result.entry) == (
        "unknown", "not_in_bundled_list", "HW49", None)
    assert result.is_warning


def test_known_code_returns_its_entry_with_category_name(fixture_data_dir):
    result = check_code("90004149")
    assert (result.status, result.message_key, result.code, result.category) == (
        "known", "in_bundled_list", "900-041-49", "HW49")
    assert result.entry.category_name_zh == "其他废物"
    assert result.entry.edition == 2025
    assert lookup("９００－０４１－４９") == result.entry
    assert check_code("900-041-49", edition=2021).status == "unknown"


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_bundled_entry_checks_as_known(edition):
    for entry in read_codes_csv(hw.codes_path(edition), edition, read_categories_csv(hw.categories_path())).values():
        result = check_code(entry.code, edition=edition)
        assert (result.status, result.entry) == ("known", entry)


def test_unbundled_edition_is_refused():
    with pytest.raises(ValueError, match="edition"):
        check_code("900-041-49", edition=2016)
    with pytest.raises(ValueError, match="edition"):
        lookup("900-041-49", edition=2016)


# The bundled files

def test_category_file_parses_with_unique_hw_codes():
    rows = data_rows(hw.categories_path())
    codes = [row["category"] for row in rows]
    assert len(codes) == len(set(codes))
    assert all(hw.CATEGORY_PATTERN.fullmatch(code) for code in codes)
    assert all(row["source"] for row in rows)
    assert read_categories_csv(hw.categories_path()).keys() == set(codes)


@pytest.mark.parametrize("edition", EDITIONS)
def test_code_files_parse_and_agree_with_the_code_structure(edition):
    rows = data_rows(hw.codes_path(edition))
    category_codes = set(read_categories_csv(hw.categories_path()))
    for row in rows:
        assert hw.CODE_PATTERN.fullmatch(row["code"])
        assert row["category"] == f"HW{row['code'][-2:]}"
        assert row["category"] in category_codes
        assert row["source_edition"] == str(edition)
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes))
    assert len(read_codes_csv(hw.codes_path(edition), edition, read_categories_csv(hw.categories_path()))) == len(
        rows)


@pytest.mark.parametrize("path", [hw.categories_path(), *(hw.codes_path(edition) for edition in EDITIONS)])
def test_every_data_file_names_its_sources(path):
    header = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert any("45256694956" in line for line in header)


@pytest.mark.parametrize(("row", "problem"), [
    ("900-041-49,HW08,,,,2025\n", "ends in 49"),
    ("90004149,HW49,,,,2025\n", "XXX-XXX-XX"),
    ("900-041-41,HW41,,,,2025\n", "not in the category table"),
    ("900-041-49,HW49,,,,2021\n", "source_edition"),
    ("900-041-49,HW49,,,,2025\n900-041-49,HW49,,,,2025\n", "twice"),
    ("900-041-49,HW49\n", "fields"),
])
def test_loader_refuses_a_code_file_that_contradicts_itself(tmp_path, row, problem):
    path = tmp_path / "hw_codes_2025.csv"
    path.write_text("# provenance\n" + HEADER + row, encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        read_codes_csv(path, 2025, read_categories_csv(hw.categories_path()))


def test_module_stands_alone():
    tree = ast.parse(Path(hw.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not {name for name in imported if name.split(".")[0] in {"flask", "portal", "sqlalchemy"}}
