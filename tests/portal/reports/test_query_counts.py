"""Pages run a constant number of SQL queries however much data there is (no query per row)."""

import pytest

from portal.demo_reports import load_scale
from portal.extensions import db
from portal.reports.models import AnnualReport
from tests.conftest import login


@pytest.fixture
def count_queries(queries_of):
    """The number of SQL statements a page ran; the page must have answered 200."""

    def run(client, path):
        response, count = queries_of(client, path)
        assert response.status_code == 200, path
        return count

    return run


def test_review_queue_queries_do_not_grow_with_the_number_of_reports(app, make, reviewer, count_queries):
    load_scale(3, 2)
    db.session.commit()
    few = count_queries(reviewer, "/review/reports?status=accepted")
    load_scale(40, 2)
    db.session.commit()
    many = count_queries(reviewer, "/review/reports?status=accepted")
    assert few == many


def test_supplier_dashboard_and_report_pages_do_not_grow_with_years_of_reports(app, make, count_queries):
    from portal.demo_reports import _accepted_report, report_data
    from portal.sites.models import Site

    org = make.org("supplier")
    user = make.user(org)
    site = Site(organisation_id=org.id, name="一厂")
    db.session.add(site)
    db.session.commit()
    client = app.test_client()
    login(client, user)

    def add_years(years):
        import random

        for year in years:
            db.session.add(_accepted_report(org, site, year, report_data(random.Random(year), 1)))
        db.session.commit()

    add_years((2020, 2021))
    db.session.add(AnnualReport(organisation_id=org.id, site=site, year=2026, data={}))
    db.session.commit()
    two_years = count_queries(client, "/dashboard")
    report = db.session.scalars(db.select(AnnualReport).where(AnnualReport.year == 2021)).one()
    detail_before = count_queries(client, f"/reports/{report.id}")
    add_years((2016, 2017, 2018, 2019, 2022, 2023))
    for year in (2024, 2025):  # drafts are listed as tasks, without a query each
        db.session.add(AnnualReport(organisation_id=org.id, site=site, year=year, data={}))
    db.session.commit()
    assert count_queries(client, "/dashboard") == two_years
    assert count_queries(client, f"/reports/{report.id}") == detail_before


def test_review_page_queries_do_not_grow_with_versions_and_comments(supplier, reviewer, count_queries):
    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)

    def return_and_resubmit(comments, lines):
        supplier.client.post(f"/reports/{report_id}/submit")
        reviewer.post(f"/reports/{report_id}/decision", data={"decision": "return", **comments})
        supplier.save(report_id, "hazardous_waste", {
            f"lines-{n}-{key}": value for n in range(lines) for key, value in (
                ("code", "900-041-49"), ("name", "废包装桶"), ("generated", "1"), ("generated__unit", "t"),
                ("transferred", "1"), ("transferred__unit", "t"), ("stored_end", "0"), ("stored_end__unit", "t"),
                ("handler_licence", "440300001"))} | {
            f"explain__hazardous_waste.lines.{n}.code": "已对照名录" for n in range(lines)})
        supplier.client.post(f"/reports/{report_id}/submit")
        report = db.session.get(AnnualReport, report_id)
        db.session.refresh(report)
        assert report.status == "submitted" and len(report.data["hazardous_waste"]["lines"]) >= lines
        return count_queries(reviewer, f"/reports/{report_id}/review")

    few = return_and_resubmit({"comment__energy.electricity": "与电费单不一致"}, 1)
    many = return_and_resubmit({f"comment__hazardous_waste.lines.{n}.{key}": "请核对"
                                for n in range(6) for key in ("code", "generated", "stored_end")}
                               | {"comment__energy": "请附电费单", "comment__production.staff": "人数?"}, 6)
    assert few == many
