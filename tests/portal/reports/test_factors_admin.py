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
        "year": "2030", "energy_type": "electricity", "value": "0.6", "unit": "t", "source": "x"})
    assert wrong_unit.status_code == 422 and 'id="unit-error"' in wrong_unit.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(EmissionFactorRecord).where(
        EmissionFactorRecord.year == 2030)) == 0
