from decimal import Decimal

from portal.extensions import db
from portal.reports.models import EmissionFactorRecord
from tests.conftest import login


def test_an_admin_adds_next_years_factor_and_reports_of_that_year_use_it(app, make, supplier):
    admin = app.test_client()
    login(admin, make.user(None))
    response = admin.post("/admin/emission-factors", data={
        "year": "2024", "energy_type": "electricity", "value": "0.5000", "unit": "MWh",
        "source": "测试来源（非真实数据）", "confirmed": "y"})
    assert response.status_code == 302
    report_id = supplier.new_report(2024)
    supplier.fill_minimum(report_id)
    page = supplier.client.get(f"/reports/{report_id}").get_data(as_text=True)
    # 1,234.5 MWh × 0.5 = 617.25 tCO2 with the 2024 factor instead of 2023's 0.5306
    assert "617.25" in page
    listed = admin.get("/admin/emission-factors").get_data(as_text=True)
    assert "0.5306 tCO₂" in listed and "0.531 tCO₂" not in listed  # a factor shows every digit it has


def test_a_duplicate_year_or_a_unit_of_another_kind_is_refused_beside_the_field(app, make):
    admin = app.test_client()
    login(admin, make.user(None))
    duplicate = admin.post("/admin/emission-factors", data={
        "year": "2022", "energy_type": "electricity", "value": "0.6", "unit": "MWh", "source": "x"})
    assert duplicate.status_code == 422 and 'id="year-error"' in duplicate.get_data(as_text=True)
    wrong_unit = admin.post("/admin/emission-factors", data={
        "year": "2019", "energy_type": "electricity", "value": "0.6", "unit": "t", "source": "x"})
    assert wrong_unit.status_code == 422 and 'id="unit-error"' in wrong_unit.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(EmissionFactorRecord).where(
        EmissionFactorRecord.year == 2019)) == 0


def _add(admin, **changes):
    return admin.post("/admin/emission-factors", data={
        "year": "2024", "energy_type": "electricity", "value": "0.5000", "unit": "MWh",
        "source": "测试来源（非真实数据）", "confirmed": "y", **changes})


def _factors_of(year):
    db.session.expire_all()
    return db.session.scalars(db.select(EmissionFactorRecord).where(EmissionFactorRecord.year == year,
                                                                   EmissionFactorRecord.energy_type == "electricity")
                              ).all()


def test_a_factor_far_from_the_nearest_years_is_refused_until_the_admin_says_the_difference_is_real(app, make):
    admin = app.test_client()
    login(admin, make.user(None))
    slip = _add(admin, value="500000")  # 500,000 tCO2/MWh: the decimal point slipped
    page = slip.get_data(as_text=True)
    assert slip.status_code == 422 and 'id="value-error"' in page and "2023" in page and "0.5306" in page
    assert _factors_of(2024) == []
    # The same factor per kWh is no slip: 0.00053 tCO2/kWh = 0.53 tCO2/MWh.
    assert _add(admin, value="0.00053", unit="kWh").status_code == 302
    assert _add(admin, year="2021", value="5.568", far_from_neighbour="y").status_code == 422  # 2021 exists
    assert _add(admin, year="2020", value="5.568", far_from_neighbour="y").status_code == 302


def test_a_factor_for_a_year_that_has_not_begun_is_refused(app, make):
    from portal.local_time import today

    admin = app.test_client()
    login(admin, make.user(None))
    refused = _add(admin, year=str(today().year + 1))
    assert refused.status_code == 422 and 'id="year-error"' in refused.get_data(as_text=True)


def test_an_added_factor_can_be_withdrawn_with_a_reason_and_the_shipped_ones_cannot(app, make):
    from portal.audit.models import AuditEvent

    admin = app.test_client()
    login(admin, make.user(None))
    assert _add(admin).status_code == 302
    (added,) = _factors_of(2024)
    assert admin.post(f"/admin/emission-factors/{added.id}/withdraw", data={"reason": ""}).status_code == 302
    assert len(_factors_of(2024)) == 1  # no reason, nothing withdrawn
    assert admin.post(f"/admin/emission-factors/{added.id}/withdraw", data={"reason": "录入错误"}).status_code == 302
    assert _factors_of(2024) == []
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "emission_factor.withdrawn")).one()
    assert event.summary["reason"] == "录入错误" and Decimal(event.summary["value"]) == Decimal("0.5")
    (shipped,) = _factors_of(2023)
    admin.post(f"/admin/emission-factors/{shipped.id}/withdraw", data={"reason": "试试"})
    assert _factors_of(2023) != []
