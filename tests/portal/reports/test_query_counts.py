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
