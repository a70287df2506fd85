"""Each eligibility rule passes, fails or is unknown, says what data it used and how to fix a failure; "what if"
shows the effect of a planned change."""

from datetime import date

import pytest
from flask_babel import force_locale

from portal.extensions import db
from portal.funding import rules
from portal.funding.demo import DEMO_RULES
from portal.records.models import CreditRating, PenaltyRecord

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def in_the_app(app):
    """Rules speak the reader's language (dates too): English here, Chinese where a test says so."""
    with app.app_context(), force_locale("en"):
        yield


def facts(**changes):
    base = rules.Facts(applying_on=TODAY, district="440306", rating_level="green", rating_year=2025, penalties=(),
                       plan_title="提标改造", plan_status="completed", completed_on=date(2025, 9, 30))
    return rules.replace(base, **changes) if changes else base


def outcome(rule, **changes):
    (result,) = rules.evaluate([rule], facts(**changes))
    return result


def test_registered_in_the_city():
    rule = {"key": "registered_in_city"}
    assert outcome(rule).outcome == "passed"
    unknown = outcome(rule, district=None)
    assert unknown.outcome == "unknown" and "profile" in unknown.fix
    assert outcome(rule, district="110105").outcome == "failed"


def test_major_violation_within_the_years_fails_and_says_when_it_clears():
    rule = {"key": "no_major_violation", "years": 1}
    major = rules.Penalty("深环罚〔2026〕1号", date(2026, 3, 2), True, False)
    result = outcome(rule, penalties=(major,))
    assert result.outcome == "failed"
    assert "深环罚〔2026〕1号 (March 2, 2026)" in result.data[0][1]
    assert "March 3, 2027" in result.fix  # one year after the decision, plus a day
    with force_locale("zh"):
        chinese = outcome(rule, penalties=(major,))
    assert "(2026年3月2日)" in chinese.data[0][1] and "2027年3月3日" in chinese.fix
    # Older than the window: passes; unclassified in the window: unknown, for the formal check.
    assert outcome(rule, penalties=(rules.Penalty("old", date(2025, 3, 2), True, False),)).outcome == "passed"
    unclassified = outcome(rule, penalties=(rules.Penalty("X-1", date(2026, 6, 1), None, False),))
    assert unclassified.outcome == "unknown" and "X-1" in unclassified.fix
    assert outcome(rule, penalties=(rules.Penalty("X-2", date(2026, 6, 1), False, False),)).outcome == "passed"


def test_credit_rating_red_is_excluded_and_a_programme_may_exclude_yellow():
    demo_rule = {"key": "credit_rating", "excluded": ["red"]}
    assert outcome(demo_rule, rating_level="yellow").outcome == "passed"
    failed = outcome(demo_rule, rating_level="red")
    assert failed.outcome == "failed" and "credit repair" in failed.fix
    assert outcome({"key": "credit_rating", "excluded": ["yellow", "red"]}, rating_level="yellow").outcome == "failed"
    assert outcome(demo_rule, rating_level=None, rating_year=None).outcome == "unknown"


def test_no_duplicate_funding_for_the_same_project():
    rule = {"key": "no_duplicate_funding"}
    assert outcome(rule).outcome == "passed"
    failed = outcome(rule, other_applications=("GF-2026-007",))
    assert failed.outcome == "failed" and failed.data[0][1] == "GF-2026-007" and "withdraw" in failed.fix


def test_plan_approved_or_project_completed_within_three_years():
    completed = {"key": "project_stage", "stage": "completed", "within_years": 3}
    assert outcome(completed).outcome == "passed"
    assert outcome(completed, completed_on=date(2023, 11, 24)).outcome == "failed"  # more than 3 years before
    assert outcome(completed, plan_status="in_progress", completed_on=None).outcome == "failed"
    approved = {"key": "project_stage", "stage": "approved"}
    assert outcome(approved, plan_status="in_progress").outcome == "passed"
    assert outcome(approved, plan_status="submitted").outcome == "failed"


def test_what_if_shows_the_effect_of_a_planned_change():
    now = facts(rating_level="red", penalties=(rules.Penalty("P-1", date(2026, 3, 2), True, False),))
    before = {r.key: r.outcome for r in rules.evaluate(DEMO_RULES, now)}
    assert before["credit_rating"] == "failed" and before["no_major_violation"] == "failed"
    later = rules.what_if(now, applying_on=date(2027, 3, 3), rating_level="blue")
    after = {r.key: r.outcome for r in rules.evaluate(DEMO_RULES, later)}
    assert after["credit_rating"] == "passed" and after["no_major_violation"] == "passed"


def test_the_programme_page_shows_each_rule_and_the_what_if(funding):
    db.session.add_all([CreditRating(credit_code=funding.org.credit_code, year=2025, level="red"),
                        PenaltyRecord(credit_code=funding.org.credit_code, decided_on=date.today(),
                                      decision_number="深环罚〔演示〕9号", violation="超标排放", penalty="罚款",
                                      status="open", major=True)])
    db.session.commit()
    url = f"/funding/programmes/{funding.programme.id}?plan_id={funding.plan.id}"
    page = funding.supplier.get(url).get_data(as_text=True)
    assert "深环罚〔演示〕9号" in page and "red (poor) (2025)" in page
    assert "Fix the failed rules above before applying." in page
    assert funding.supplier.post(f"/funding/programmes/{funding.programme.id}/apply", data={
        "plan_id": funding.plan.id, "project_type": "upgrade"}).status_code == 422  # refused while failing
    whatif = funding.supplier.get(url + "&whatif_rating=blue").get_data(as_text=True)
    assert "What if" in whatif and whatif.count("✓") > page.count("✓")
