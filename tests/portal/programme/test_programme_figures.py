"""The programme dashboard's figures where they are easy to get wrong: several verified plans on one site, buyers'
own questionnaires, funding of withdrawn applications, both funding series, control characters in the Excel
export, and a CSV download that computes only its own table."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

from markupsafe import escape
from openpyxl import load_workbook

from portal.assessment.models import Assessment, Benchmark
from portal.extensions import db
from portal.funding.closing_models import Disbursement
from portal.funding.models import FundingApplication
from portal.programme import figures
from portal.sites.models import Site
from tests.portal.programme.conftest import add_supplier, verified_plan

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _table(client, key):
    data = client.get(f"/programme/export.csv?table={key}").get_data(as_text=True)
    return list(csv.reader(io.StringIO(data.lstrip("\ufeff"))))[1:]


def test_two_verified_plans_of_one_site_count_its_reduction_once(make, authority):
    org = make.org("supplier")
    site = Site(organisation_id=org.id, name="一厂")
    db.session.add(site)
    # Both plans compare the site's 2024 baseline with its 2025 report: COD fell by 2 t once, not twice.
    db.session.add_all([verified_plan(org, site, {"COD": Decimal(2), "NH3N": Decimal(1)}, targets=["COD"]),
                        verified_plan(org, site, {"COD": Decimal(2), "NH3N": Decimal(1)}, targets=["COD"])])
    db.session.commit()
    rows = _table(authority, "reductions")
    # NH3N is not targeted by any measure: its change is not the plans' achievement.
    assert len(rows) == 1 and Decimal(rows[0][2]) == Decimal(2) and rows[0][3] == "2"


def test_grades_count_only_the_programme_questionnaire(app, make, benchmark, authority):
    buyer = make.org("buyer")
    own = Benchmark(key="buyer-own", version=1, owner_organisation_id=buyer.id, status="published",
                    title_zh="买家问卷", definition=benchmark.definition)
    db.session.add(own)
    for grade, questionnaire in (("B", benchmark), ("五星", own)):
        org = make.org("supplier")
        db.session.add(Assessment(organisation_id=org.id, benchmark=questionnaire, year=2025, status="submitted",
                                  score=Decimal(70), grade=grade, submitted_at=NOW))
    db.session.commit()
    assert _table(authority, "grades") == [["B", "0", "1", "1"]]
    page = authority.get("/programme").get_data(as_text=True)
    with app.test_request_context():  # the page says which questionnaire the grades are of
        note = str(figures.grade_distribution().note)
    assert note in page or str(escape(note)) in page


def test_disbursed_and_approved_count_the_same_applications(make, benchmark, programme, authority):
    buyer = make.org("buyer")
    org = add_supplier(make, benchmark, programme, buyer, n=1, reduction=Decimal(1), approved=Decimal("500000"))
    application = db.session.scalars(db.select(FundingApplication).where(
        FundingApplication.organisation_id == org.id)).one()
    db.session.add(Disbursement(application=application, amount=Decimal("200000"), paid_on=date(2026, 5, 1),
                                batch="B1"))
    application.status = "withdrawn"  # no longer committed: neither its approval nor its payment counts
    db.session.commit()
    row = _table(authority, "funding")[0]
    assert row[2] == "0" and Decimal(row[3]) == 0 and Decimal(row[4]) == 0


def test_the_funding_chart_draws_approved_and_disbursed(make, benchmark, programme, authority):
    org = add_supplier(make, benchmark, programme, make.org("buyer"), n=1, reduction=Decimal(1),
                       approved=Decimal("500000"))
    application = db.session.scalars(db.select(FundingApplication).where(
        FundingApplication.organisation_id == org.id)).one()
    db.session.add(Disbursement(application=application, amount=Decimal("123456"), paid_on=date(2026, 5, 1),
                                batch="B1"))
    db.session.commit()
    page = authority.get("/programme").get_data(as_text=True)
    chart = page.split('data-chart="funding"')[1].split("</figure>")[0]
    assert chart.count('class="bar"') == 2 and "123,456" in chart and "500,000" in chart


def test_the_workbook_keeps_text_with_control_characters(make, benchmark, programme, authority):
    add_supplier(make, benchmark, programme, make.org("buyer", name_zh="采购\x01商"), n=1)
    response = authority.get("/programme/export.xlsx")
    assert response.status_code == 200
    names = [row[0].value for row in load_workbook(io.BytesIO(response.data))["buyers"].iter_rows(min_row=3)]
    assert "采购商" in names


def test_a_csv_download_computes_only_its_table(authority, monkeypatch):
    def refuse():
        raise AssertionError("computed a table nobody asked for")

    for key in figures.TABLES:
        if key != "reports":
            monkeypatch.setitem(figures.TABLES, key, refuse)
    assert authority.get("/programme/export.csv?table=reports").status_code == 200
