from datetime import date, timedelta

from portal.extensions import db


def test_a_site_without_last_years_report_is_a_task_and_so_is_an_expiring_permit(supplier):
    supplier.site.permit_expiry = date.today() + timedelta(days=30)
    db.session.commit()
    page = supplier.client.get("/dashboard").get_data(as_text=True)
    assert f"宝安一厂 {date.today().year - 1} 年度报告" in page
    assert "排污许可证将于" in page


def test_a_returned_report_tells_the_supplier_to_read_the_comments(supplier, reviewer):
    report_id = supplier.new_report(date.today().year - 1)
    supplier.fill_minimum(report_id)
    supplier.client.post(f"/reports/{report_id}/submit")
    reviewer_page = reviewer.get("/dashboard").get_data(as_text=True)
    assert "待审查的年度报告" in reviewer_page and "1 份待审" in reviewer_page
    reviewer.post(f"/reports/{report_id}/decision", data={"decision": "return", "note": "请补充"})
    assert "已被审查人员退回" in supplier.client.get("/dashboard").get_data(as_text=True)


def test_accepted_reports_draw_trend_charts_with_a_table_behind_them(supplier, reviewer):
    for year, kwh in ((2022, "1,000,000"), (2023, "1,200,000")):
        report_id = supplier.new_report(year)
        supplier.fill_minimum(report_id)
        supplier.save(report_id, "energy", {"electricity": kwh, "electricity__unit": "kWh"})
        supplier.client.post(f"/reports/{report_id}/submit")
        reviewer.post(f"/reports/{report_id}/decision", data={"decision": "accept"})
    page = supplier.client.get("/dashboard").get_data(as_text=True)
    assert page.count("<svg") >= 3 and 'role="img"' in page
    table = page[page.index("<table"):]
    assert "2022" in table and "2023" in table and "1,200" in table  # MWh


def test_a_permit_that_has_expired_says_so_instead_of_will_expire(supplier):
    supplier.site.permit_expiry = date(2020, 1, 1)
    db.session.commit()
    page = supplier.client.get("/dashboard").get_data(as_text=True)
    assert "宝安一厂的排污许可证已于2020年1月1日到期" in page and "排污许可证将于" not in page


def test_a_certificate_that_has_expired_says_so(supplier):
    report_id = supplier.new_report(date.today().year - 1)
    supplier.save(report_id, "certifications", {"certificates-0-type": "iso14001",
                                                "certificates-0-expiry": "2021-05-31"})
    page = supplier.client.get("/dashboard").get_data(as_text=True)
    assert "宝安一厂的ISO 14001证书已于2021年5月31日到期" in page and "证书将于" not in page
