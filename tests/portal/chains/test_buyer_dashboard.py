"""The buyer's supplier dashboard: what each row shows, filters, export, and a fixed number of queries."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from portal.assessment.models import AssessmentShare, Verification
from portal.chains.models import ChainConsent, ReportShare
from portal.extensions import db
from portal.funding.models import FundingApplication, FundingProgramme
from portal.plans.models import UpgradePlan
from portal.records.models import CreditRating, PenaltyRecord
from tests.conftest import login
from tests.portal.chains.helpers import accepted_report, link, submitted_assessment


def _supplier_in_chain(make, buyer, benchmark, *, tier=1, parent=None, name=None, share=True, year=2025):
    supplier = make.org("supplier", **({"name_zh": name} if name else {}))
    link(buyer, supplier, tier=tier, parent=parent)
    report = accepted_report(supplier, year=year)
    assessment = submitted_assessment(supplier, benchmark)
    db.session.add(ChainConsent(supplier_organisation_id=supplier.id, buyer_organisation_id=buyer.id,
                                share_progress=share))
    if share:
        db.session.add_all([ReportShare(report_id=report.id, buyer_organisation_id=buyer.id),
                            AssessmentShare(assessment_id=assessment.id, buyer_organisation_id=buyer.id)])
    db.session.add(CreditRating(credit_code=supplier.credit_code, year=2025, level="yellow"))
    db.session.add(PenaltyRecord(credit_code=supplier.credit_code, decided_on=date(2025, 3, 1),
                                 decision_number=f"深环罚-{supplier.id}", violation="v", penalty="p", status="open"))
    db.session.commit()
    return supplier, assessment


def test_rows_show_shared_grade_verified_score_rating_violations_and_progress(client, make, benchmark):
    buyer = make.org("buyer")
    supplier, assessment = _supplier_in_chain(make, buyer, benchmark, name="甲供应商")
    db.session.add(Verification(assessment_id=assessment.id, organisation_id=buyer.id, status="completed",
                                score=Decimal("68.50"), grade="C"))
    db.session.add(UpgradePlan(organisation_id=supplier.id, site_id=_site_of(supplier), title="plan",
                               status="approved"))
    _hidden, _a = _supplier_in_chain(make, buyer, benchmark, name="乙供应商", share=False)
    db.session.commit()
    login(client, make.user(buyer))
    page = client.get("/buyer/suppliers").get_data(as_text=True)
    first = page.split("甲供应商")[1].split("</tr>")[0]
    assert "68.5" in first and "<td>C " in first
    assert "status-approved" in first  # the plan: progress shared
    assert "黄" in first or "yellow" in first
    second = page.split("乙供应商")[1].split("</tr>")[0]
    assert "<td>—" in second and "status-approved" not in second  # nothing shared: no grade, no progress
    filtered = client.get("/buyer/suppliers?grade=C").get_data(as_text=True)
    assert "甲供应商" in filtered and "乙供应商" not in filtered


def _site_of(org):
    from portal.sites.models import Site

    return db.session.scalars(db.select(Site.id).where(Site.organisation_id == org.id)).first()


def test_export_is_a_workbook_of_the_filtered_rows(client, make, benchmark):
    buyer = make.org("buyer")
    tier1, _a = _supplier_in_chain(make, buyer, benchmark, name="=甲")
    _supplier_in_chain(make, buyer, benchmark, tier=2, parent=tier1, name="乙二级")
    login(client, make.user(buyer))
    response = client.get("/buyer/suppliers/export.xlsx?tier=1")
    sheet = load_workbook(io.BytesIO(response.data)).active
    names = [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)]
    assert names == ["'=甲"]


def test_dashboard_queries_do_not_grow_with_the_number_of_suppliers(client, make, benchmark, queries_of):
    buyer = make.org("buyer")
    _supplier_in_chain(make, buyer, benchmark)
    login(client, make.user(buyer))
    response, few = queries_of(client, "/buyer/suppliers")
    assert response.status_code == 200
    for _ in range(5):
        _supplier_in_chain(make, buyer, benchmark)
    _response, many = queries_of(client, "/buyer/suppliers")
    assert many == few


def _order_of(page: str, names: list[str]) -> list[str]:
    return sorted(names, key=page.index)


@pytest.mark.parametrize("sort", ["", "name", "tier"])
def test_suppliers_are_sorted_by_the_name_in_the_readers_language(app, make, benchmark, sort):
    buyer = make.org("buyer")
    # 安 < 张 in Chinese; in English "apex" comes first, whatever its case.
    for name_zh, name_en in (("安达电子", "Zenith Electronics"), ("张记五金", "apex Hardware")):
        supplier, _a = _supplier_in_chain(make, buyer, benchmark, name=name_zh)
        supplier.name_en = name_en
    _supplier_in_chain(make, buyer, benchmark, name="宏图塑胶")  # no English name: shown, and sorted, in Chinese
    db.session.commit()
    zh_reader, en_reader = app.test_client(), app.test_client()
    login(zh_reader, make.user(buyer))
    login(en_reader, make.user(buyer, locale="en"))
    page = zh_reader.get(f"/buyer/suppliers?sort={sort}").get_data(as_text=True)
    assert _order_of(page, ["张记五金", "宏图塑胶", "安达电子"]) == ["安达电子", "宏图塑胶", "张记五金"]
    page = en_reader.get(f"/buyer/suppliers?sort={sort}").get_data(as_text=True)
    assert _order_of(page, ["Zenith Electronics", "宏图塑胶", "apex Hardware"]) == [
        "apex Hardware", "Zenith Electronics", "宏图塑胶"]


def test_only_buyers_open_the_dashboard(client, make):
    login(client, make.user(make.org("supplier")))
    assert client.get("/buyer/suppliers").status_code == 403


def test_drafts_never_reach_the_buyer(client, make, benchmark, programme_for_drafts):
    buyer = make.org("buyer")
    supplier, _assessment = _supplier_in_chain(make, buyer, benchmark, name="甲供应商")
    site_id = _site_of(supplier)
    approved = UpgradePlan(organisation_id=supplier.id, site_id=site_id, title="已批准", status="approved")
    db.session.add(approved)
    db.session.flush()
    # Later, the supplier starts drafts it has not shown anyone: the buyer still sees the approved plan only.
    db.session.add_all([UpgradePlan(organisation_id=supplier.id, site_id=site_id, title="草稿计划", status="draft"),
                        FundingApplication(organisation_id=supplier.id, programme=programme_for_drafts,
                                           plan=approved, project_type="upgrade", status="draft")])
    db.session.commit()
    login(client, make.user(buyer))
    row = client.get("/buyer/suppliers").get_data(as_text=True).split("甲供应商")[1].split("</tr>")[0]
    assert "status-approved" in row and "status-draft" not in row
    detail = client.get(f"/buyer/suppliers/{supplier.id}").get_data(as_text=True)
    assert "已批准" in detail and "草稿计划" not in detail and "status-draft" not in detail


@pytest.fixture
def programme_for_drafts():
    programme = FundingProgramme(name="试点资金", budget=Decimal(1000), opens_on=date(2026, 1, 1),
                                 closes_on=date(2026, 12, 31), notice_days=5)
    db.session.add(programme)
    db.session.commit()
    return programme
