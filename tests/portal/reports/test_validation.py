"""The checks a supplier meets while filling the report, with hand-computed examples."""

import pytest

from portal.reports.validation import blocking, validate


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context():
        yield


def q(value, unit):
    return {"v": value, "u": unit}


def minimal(**sections):
    data = {"production": {"output_value": q("1200", "10k_yuan"), "staff": q("80", "person"),
                           "operating_days": q("300", "day")},
            "energy": {"electricity": q("100000", "kWh")}}
    data.update(sections)
    return data


def issues_at(issues, path, level=None):
    return [i for i in issues if i.path == path and (level is None or i.level == level)]


def test_a_minimal_report_of_a_site_without_permit_has_no_problems():
    assert validate(minimal(), holds_permit=False) == []


def test_required_fields_are_errors_with_a_hint_to_enter_zero():
    issues = validate({}, holds_permit=False)
    (issue,) = issues_at(issues, "production.staff")
    assert issue.level == "error" and "0" in str(issue.message)


def test_wastewater_and_air_are_required_only_for_permit_holders():
    assert not issues_at(validate(minimal(), holds_permit=False), "wastewater.volume")
    permit = validate(minimal(), holds_permit=True)
    assert issues_at(permit, "wastewater.volume", "error")
    assert issues_at(permit, "air.emissions", "error")


@pytest.mark.parametrize("typed", ["1,234.5", "１２３４．５", " 1234.5 "])
def test_numbers_are_read_as_people_type_them(typed):
    data = minimal(energy={"electricity": q(typed, "kWh")})
    assert not issues_at(validate(data, holds_permit=False), "energy.electricity")


def test_words_in_a_number_field_say_how_to_fix_it():
    (issue,) = issues_at(validate(minimal(energy={"electricity": q("约10万", "kWh")}), holds_permit=False),
                         "energy.electricity")
    assert issue.level == "error" and "1234.5" in str(issue.message)


def test_renewable_electricity_cannot_exceed_all_electricity_whatever_the_units():
    data = minimal(energy={"electricity": q("100", "MWh"), "electricity_renewable": q("120000", "kWh")})
    assert issues_at(validate(data, holds_permit=False), "energy.electricity_renewable", "error")
    data["energy"]["electricity_renewable"] = q("90000", "kWh")
    assert not issues_at(validate(data, holds_permit=False), "energy.electricity_renewable")


def wastewater(load):
    # 10,000 m³ at 50 mg/L COD: 50 × 10,000 / 1,000 = 500 kg expected.
    return {"volume": q("10000", "m3"), "destination": {"v": "municipal"},
            "pollutants": [{"pollutant": {"v": "COD"}, "concentration": q("50", "mg_L"), "load": load}]}


def test_pollutant_load_is_checked_against_concentration_times_volume():
    assert not issues_at(validate(minimal(wastewater=wastewater(q("0.5", "t"))), holds_permit=False),
                         "wastewater.pollutants.0.load")
    (issue,) = issues_at(validate(minimal(wastewater=wastewater(q("5", "t"))), holds_permit=False),
                         "wastewater.pollutants.0.load")
    assert issue.level == "warning" and "500" in str(issue.message)


def hw_line(**overrides):
    line = {"code": {"v": "900-041-49"}, "name": {"v": "废包装桶"}, "stored_start": q("1", "t"),
            "generated": q("10", "t"), "transferred": q("8", "t"), "stored_end": q("3", "t"),
            "handler": {"v": "某环保公司"}, "handler_licence": {"v": "440300001"}}
    line.update(overrides)
    return line


def test_hazardous_waste_that_balances_has_no_balance_warning():
    # 1 + 10 − 8 = 3 t stored at the end.
    issues = validate(minimal(hazardous_waste={"lines": [hw_line()]}), holds_permit=False)
    assert not issues_at(issues, "hazardous_waste.lines.0.stored_end")


def test_hazardous_waste_that_does_not_balance_asks_for_an_explanation():
    # 1 + 10 − 8 = 3 t expected at the end: 2 t leaves 1 t unaccounted for; 5.2 t is 2.2 t more than that.
    issues = validate(minimal(hazardous_waste={"lines": [hw_line(stored_end=q("2", "t"))]}), holds_permit=False)
    (issue,) = issues_at(issues, "hazardous_waste.lines.0.stored_end")
    assert issue.level == "warning" and "1 t 去向不明" in str(issue.message)
    issues = validate(minimal(hazardous_waste={"lines": [hw_line(stored_end=q("5.2", "t"))]}), holds_permit=False)
    (issue,) = issues_at(issues, "hazardous_waste.lines.0.stored_end")
    assert issue.level == "warning" and "多 2.2 t" in str(issue.message) and "-" not in str(issue.message)


def test_transferred_hazardous_waste_needs_the_handlers_licence():
    issues = validate(minimal(hazardous_waste={"lines": [hw_line(handler_licence={"v": ""})]}), holds_permit=False)
    assert issues_at(issues, "hazardous_waste.lines.0.handler_licence", "error")


def test_a_malformed_waste_code_is_an_error_and_an_unlisted_one_a_warning():
    bad = validate(minimal(hazardous_waste={"lines": [hw_line(code={"v": "90004149x"})]}), holds_permit=False)
    assert issues_at(bad, "hazardous_waste.lines.0.code", "error")
    unlisted = validate(minimal(hazardous_waste={"lines": [hw_line()]}), holds_permit=False)
    assert [i.level for i in issues_at(unlisted, "hazardous_waste.lines.0.code")] in (["warning"], [])


@pytest.mark.parametrize(("code", "category"), [("398-999-99", "HW99"), ("123-456-78", "HW78")])
def test_a_code_of_a_category_outside_the_table_says_so_and_not_only_that_it_is_unlisted(code, category,
                                                                                          monkeypatch):
    from portal.reports import hazardous_waste

    data = minimal(hazardous_waste={"lines": [hw_line(code={"v": code})]})
    unlisted = validate(minimal(hazardous_waste={"lines": [hw_line(code={"v": "900-999-49"})]}), holds_permit=False)
    (usual,) = issues_at(unlisted, "hazardous_waste.lines.0.code")
    (issue,) = issues_at(validate(data, holds_permit=False), "hazardous_waste.lines.0.code")
    # A warning while the category table is not known to be complete (hazardous_waste.CATEGORY_TABLE_COMPLETE).
    assert issue.level == "warning" and category in str(issue.message) and str(issue.message) != str(usual.message)
    monkeypatch.setattr(hazardous_waste, "CATEGORY_TABLE_COMPLETE", True)
    (issue,) = issues_at(validate(data, holds_permit=False), "hazardous_waste.lines.0.code")
    assert issue.level == "error" and category in str(issue.message)


def test_a_change_of_more_than_half_on_last_year_needs_an_explanation():
    last_year = minimal()
    now = minimal(energy={"electricity": q("182", "MWh")})  # 100,000 kWh → 182 MWh: +82%
    (issue,) = issues_at(validate(now, holds_permit=False, previous=last_year), "energy.electricity")
    assert issue.level == "warning" and "82" in str(issue.message)
    assert blocking([issue], {}) == [issue]
    assert blocking([issue], {"energy.electricity": "新增一条生产线"}) == []
    steady = minimal(energy={"electricity": q("120", "MWh")})
    assert not issues_at(validate(steady, holds_permit=False, previous=last_year), "energy.electricity")


def test_empty_lines_left_in_a_table_are_ignored():
    data = minimal(certifications={"certificates": [{"type": {"v": ""}, "number": {"v": ""}}]})
    assert not [i for i in validate(data, holds_permit=False) if i.path.startswith("certifications")]


def test_a_penalty_dated_after_today_is_an_error():
    from datetime import timedelta

    from portal.local_time import today

    def penalty(day):
        line = {"date": {"v": day.isoformat()}, "authority": {"v": "深圳市生态环境局"},
                "decision_number": {"v": "深环罚1"}, "rectification": {"v": "done"}}
        return minimal(violations={"penalties": [line]})

    (issue,) = issues_at(validate(penalty(today() + timedelta(days=1)), holds_permit=False),
                         "violations.penalties.0.date")
    assert issue.level == "error" and "晚于今天" in str(issue.message)
    assert not issues_at(validate(penalty(today()), holds_permit=False), "violations.penalties.0.date")
