"""The programme dashboard: who may open it, what its tables count, its downloads, and a constant number of
SQL queries however many suppliers take part."""

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from portal.extensions import db
from portal.funding.closing_models import Disbursement
from portal.funding.models import FundingApplication
from tests.conftest import login
from tests.portal.programme.conftest import add_supplier


def test_only_the_authority_the_agency_and_platform_admins_open_it(app, make):
    allowed = [make.user(make.org("authority")), make.user(make.org("agency")), make.user(None)]
    refused = [make.user(make.org("buyer")), make.user(make.org("supplier"))]
    for user in allowed + refused:
        client = app.test_client()
        login(client, user)
        for path in ("/programme", "/programme/export.xlsx", "/programme/export.csv?table=grades"):
            assert client.get(path).status_code == (200 if user in allowed else 403), (path, user.email)


def test_tables_count_participation_grades_reductions_funding_and_reports(make, benchmark, programme, authority):
    buyer, other_buyer = make.org("buyer", name_zh="大买家"), make.org("buyer", name_zh="小买家")
    add_supplier(make, benchmark, programme, buyer, n=1, grade="B", verified="A", reduction=Decimal("2.5"),
                 approved=Decimal("300000"))
    add_supplier(make, benchmark, programme, buyer, n=2, grade="B", reduction=Decimal("1.25"))
    add_supplier(make, benchmark, programme, other_buyer, n=3, district="440306", grade="C")
    make.org("supplier", district="440306")  # in no chain, no assessment

    page = authority.get("/programme").get_data(as_text=True)
    charted = {part.split('"')[0] for part in page.split('data-chart="')[1:]}
    assert charted == {"tiers", "buyers", "districts", "grades", "funding", "reports"}  # all but the reductions
    assert page.count("<table") >= 7

    def table(key):
        data = authority.get(f"/programme/export.csv?table={key}").get_data(as_text=True)
        return list(csv.reader(io.StringIO(data.lstrip("\ufeff"))))[1:]

    assert table("tiers")[0][1] == "3" and table("tiers")[-1][1] == "1"  # 3 in tier 1, 1 in no chain
    assert [row[0::3] for row in table("buyers")] == [["大买家", "2"], ["小买家", "1"]]
    assert {row[1] for row in table("districts")} == {"2"}
    # Supplier 1 counts with its verified A, 2 with its own B, 3 with its own C; their older D does not count.
    assert table("grades") == [["A", "1", "0", "1"], ["B", "0", "1", "1"], ["C", "0", "1", "1"]]
    assert Decimal(table("reductions")[0][2]) == Decimal("3.75") and table("reductions")[0][3] == "2"
    funding_row = table("funding")[0]
    assert funding_row[2] == "1" and Decimal(funding_row[3]) == Decimal("300000")
    assert table("reports") == [["2025", "3", "3"]]


def test_disbursed_sums_the_recorded_payments_of_each_programme(make, benchmark, programme, authority):
    buyer = make.org("buyer")
    org = add_supplier(make, benchmark, programme, buyer, n=1, reduction=Decimal(1), approved=Decimal("500000"))
    application = db.session.scalars(db.select(FundingApplication).where(
        FundingApplication.organisation_id == org.id)).one()
    application.status = "disbursed"
    db.session.add_all([Disbursement(application=application, amount=Decimal("200000"), paid_on=date(2026, 5, 1),
                                     batch="B1"),
                        Disbursement(application=application, amount=Decimal("100000.50"), paid_on=date(2026, 6, 1),
                                     batch="B2")])
    db.session.commit()
    data = authority.get("/programme/export.csv?table=funding").get_data(as_text=True)
    row = next(csv.reader(io.StringIO(data.lstrip("\ufeff").splitlines()[1])))
    # Approved counted once although it has two payments; disbursed is their sum.
    assert row[2] == "1" and Decimal(row[3]) == Decimal("500000") and Decimal(row[4]) == Decimal("300000.50")


def test_downloads_neutralise_formula_looking_text(make, benchmark, programme, authority):
    buyer = make.org("buyer", name_zh="=HYPERLINK(\"http://x\")")
    add_supplier(make, benchmark, programme, buyer, n=9)
    book = load_workbook(io.BytesIO(authority.get("/programme/export.xlsx").data))
    assert {"tiers", "buyers", "districts", "grades", "reductions", "funding", "reports"} <= set(book.sheetnames)
    names = [row[0].value for row in book["buyers"].iter_rows(min_row=3) if row[0].value]
    assert names == ["'=HYPERLINK(\"http://x\")"]
    data = authority.get("/programme/export.csv?table=buyers").get_data(as_text=True)
    assert "'=HYPERLINK" in data
    assert authority.get("/programme/export.csv?table=nothing").status_code == 404


def test_the_page_runs_the_same_number_of_queries_for_many_suppliers(make, benchmark, programme, authority,
                                                                     queries_of):
    buyer = make.org("buyer")
    add_supplier(make, benchmark, programme, buyer, n=1, verified="A", reduction=Decimal(1), approved=Decimal(1))
    response, few = queries_of(authority, "/programme")
    assert response.status_code == 200
    for n in range(2, 12):
        add_supplier(make, benchmark, programme, make.org("buyer"), n=n, district=f"4403{n:02d}",
                     verified="A" if n % 2 else None, reduction=Decimal(n), approved=Decimal(n))
    response, many = queries_of(authority, "/programme")
    assert response.status_code == 200
    assert few == many
