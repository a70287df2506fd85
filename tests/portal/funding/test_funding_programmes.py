"""Platform admins define programmes: rules, amount formula, rubric and materials as data, checked on entry."""

from decimal import Decimal

from portal.extensions import db
from portal.funding.models import FundingProgramme
from tests.conftest import login

FORM = {"name": "2027 治理设施补贴", "description": "指南条款……", "budget": "30,000,000", "opens_on": "2027-01-01",
        "closes_on": "2027-06-30", "notice_days": "5", "share_percent": "50", "cap__replacement": "5000000",
        "cap__upgrade": "10000000", "base__equipment": "1", "base__construction": "1",
        "rule__registered_in_city": "1", "rule__credit_rating": "1", "rule__credit_rating__yellow": "1",
        "rule__credit_rating__red": "1", "rule__no_major_violation": "1", "rule__no_major_violation__years": "2",
        "rule__project_stage": "1", "rule__project_stage__stage": "completed",
        "rule__project_stage__within_years": "3", "rubric": "技术方案 | 60\n减排效果 | 40",
        "materials": "申报书\n验收报告"}


def test_an_admin_defines_a_programme_with_its_rules_formula_and_rubric(app, make):
    admin = app.test_client()
    login(admin, make.user(None, locale="en"))
    response = admin.post("/admin/funding/new", data=FORM)
    assert response.status_code == 302
    programme = db.session.scalars(db.select(FundingProgramme)).one()
    assert programme.budget == Decimal("30000000")
    assert programme.amount_rule == {"share": "0.5", "base": ["equipment", "construction"],
                                     "caps": {"replacement": "5000000", "upgrade": "10000000"}}
    assert {"key": "credit_rating", "excluded": ["yellow", "red"]} in programme.rules
    assert {"key": "no_major_violation", "years": 2} in programme.rules
    assert {"key": "project_stage", "stage": "completed", "within_years": 3} in programme.rules
    assert [c["weight"] for c in programme.rubric] == [60, 40]
    assert [m["label"] for m in programme.materials] == ["申报书", "验收报告"]
    # A rubric that does not add up to 100 is refused beside the field, and what was typed stays.
    wrong = admin.post(f"/admin/funding/{programme.id}", data=FORM | {"rubric": "技术方案 | 60\n减排效果 | 30",
                                                                      "version": programme.version_id})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and 'id="rubric-error"' in html and "减排效果 | 30" in html
    # Materials keep their keys when the list is edited (uploads refer to them); a new one never takes an old key.
    admin.post(f"/admin/funding/{programme.id}", data=FORM | {"materials": "验收报告\n监测报告",
                                                              "version": programme.version_id})
    db.session.refresh(programme)
    assert programme.materials == [{"key": "m2", "label": "验收报告"}, {"key": "m3", "label": "监测报告"}]
    stale = admin.post(f"/admin/funding/{programme.id}", data=FORM | {"name": "我的新名称", "version": 1})
    assert stale.status_code == 409 and "我的新名称" in stale.get_data(as_text=True)


def test_a_supplier_cannot_define_programmes(app, make):
    supplier = app.test_client()
    login(supplier, make.user(make.org("supplier")))
    assert supplier.post("/admin/funding/new", data=FORM).status_code == 403


def test_a_budget_or_cap_with_fen_is_refused_beside_its_field(app, make):
    admin = app.test_client()
    login(admin, make.user(None, locale="en"))
    response = admin.post("/admin/funding/new", data=FORM | {"budget": "30,000,000.5", "cap__upgrade": "9999999.99"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="budget-error"' in html and 'id="cap__upgrade-error"' in html
    assert "Enter whole yuan, without fen." in html
    assert db.session.scalars(db.select(FundingProgramme)).first() is None
