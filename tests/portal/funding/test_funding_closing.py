"""After the public notice: the agreement, payments within the approved amount, the acceptance report prefilled from
the plan's verification, the verdict, and the decision letter and acceptance certificate as PDFs people file."""

import io
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.funding.closing_models import Disbursement
from portal.notifications.models import Notification
from tests.conftest import is_postgres
from tests.portal.funding.conftest import PDF

VERIFICATION = {"year": 2025, "report_id": None,
                "indicators": {"COD": {"baseline": "10.5", "after": "7.25", "change": "-3.25"},
                               "electricity": {"baseline": "800", "after": "640", "change": "-160"}}}


def pdf_text(response) -> str:
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def to_agreement(funding, url, amount="1,400,000"):
    funding.to_decision(url)
    assert funding.act(funding.authority, url, "approve", "评审通过，同意资助", amount=amount).status_code == 302
    assert funding.act(funding.authority, url, "start_notice").status_code == 302
    application = funding.current()
    application.notice_ends_on = date.today() - timedelta(days=2)  # the notice period is over
    db.session.commit()
    assert funding.act(funding.authority, url, "end_notice", "公示期内无异议").status_code == 302
    assert funding.current().status == "agreement"


def record_agreement(funding, url, client=None, **fields):
    data = {"agreement_number": "SZHB-2026-017", "signed_on": (date.today() - timedelta(days=1)).isoformat(),
            "version": funding.current().version_id, "agreement_file": (io.BytesIO(PDF), "协议.pdf")} | fields
    return (client or funding.authority).post(url + "/agreement", data=data, content_type="multipart/form-data")


def pay(funding, url, amount, batch, client=None, version=None):
    return (client or funding.authority).post(url + "/disbursements", data={
        "amount": amount, "paid_on": date.today().isoformat(), "batch": batch,
        "version": version or funding.current().version_id})


def test_agreement_payments_and_acceptance_close_the_application(funding, outbox):
    url = funding.apply()
    funding.plan.baseline_year, funding.plan.verification = 2023, VERIFICATION
    db.session.commit()
    to_agreement(funding, url)
    assert "/funding/queue?status=agreement" in funding.authority.get("/dashboard").get_data(as_text=True)
    # Paying needs the agreement; "disburse" alone is refused.
    assert funding.act(funding.authority, url, "disburse", "x").status_code == 409
    assert pay(funding, url, "700000", "PZ-1").status_code == 409
    # The signed agreement must be a PDF; what was typed stays.
    refused = record_agreement(funding, url, agreement_file=(io.BytesIO(b"\x89PNG\r\n\x1a\nxx"), "scan.png"))
    assert refused.status_code == 422 and 'value="SZHB-2026-017"' in refused.get_data(as_text=True)
    assert record_agreement(funding, url).status_code == 302
    assert funding.current().agreement.number == "SZHB-2026-017"
    # The supplier cannot pay itself.
    assert pay(funding, url, "700000", "PZ-1", client=funding.supplier).status_code == 409
    assert pay(funding, url, "700000", "PZ-1").status_code == 302
    application = funding.current()
    assert application.status == "disbursed" and [d.amount for d in application.disbursements] == [Decimal("700000")]
    # More than what is left of the approved amount is refused, the typed figures stay; a batch is recorded once.
    too_much = pay(funding, url, "700001", "PZ-2")
    assert too_much.status_code == 422 and "700,000" in too_much.get_data(as_text=True)
    assert 'value="PZ-2"' in too_much.get_data(as_text=True)
    assert pay(funding, url, "100", "PZ-1").status_code == 422
    assert pay(funding, url, "700,000", "PZ-2").status_code == 302
    assert sum(d.amount for d in funding.current().disbursements) == Decimal("1400000")

    assert f'href="{url}"' in funding.supplier.get("/dashboard").get_data(as_text=True)  # what's next: acceptance
    # The supplier reports: evidence first (the send button says so until then), then the reductions, prefilled
    # from the plan's verification.
    waiting = funding.supplier.get(url).get_data(as_text=True)
    assert 'disabled aria-describedby="not-yet-start_acceptance"' in waiting and "Attach the evidence" in waiting
    assert funding.supplier.post(url + "/acceptance", data={"acceptance_summary": "x", "reduction__COD": "1",
                                                           "version": funding.current().version_id}).status_code == 409
    funding.supplier.post(url + "/acceptance-files", data={"file": (io.BytesIO(PDF), "验收监测报告.pdf")},
                          content_type="multipart/form-data")
    page = funding.supplier.get(url).get_data(as_text=True)
    assert 'name="reduction__COD"' in page and 'value="3.25"' in page and 'value="160"' in page
    assert "not-yet-start_acceptance" not in page
    assert "from the plan&#39;s verification" in page or "from the plan's verification" in page
    # A plan that expects no reduction of its own: every indicator in one table. One that does: those first, with
    # the expected figure (and the CO2 its electricity saving avoids), the others folded, in case.
    form = page[page.index('data-transition="start_acceptance"'):]
    assert "<details" not in form and 'name="reduction__SO2"' in form
    plan = db.session.get(type(funding.plan), funding.plan.id)
    plan.measures[0].reductions = {"COD": "2.5", "electricity": "100"}
    db.session.commit()
    form = funding.supplier.get(url).get_data(as_text=True)
    form = form[form.index('data-transition="start_acceptance"'):]
    asked, _fold, folded = form.partition("<details")
    assert 'name="reduction__COD"' in asked and 'name="reduction__SO2"' not in asked and ">2.5<" in asked
    assert 'name="reduction__ghg"' in asked and ">53.06<" in asked  # 100 MWh × 0.5306 tCO2/MWh (2023 grid)
    assert 'name="reduction__SO2"' in folded and 'name="reduction__COD"' not in folded
    bad = funding.supplier.post(url + "/acceptance", data={
        "acceptance_summary": "设施稳定运行", "reduction__COD": "三点二", "version": funding.current().version_id})
    assert bad.status_code == 422 and 'value="三点二"' in bad.get_data(as_text=True)
    assert funding.supplier.post(url + "/acceptance", data={
        "acceptance_summary": "设施稳定运行一年，在线监测数据见附件", "reduction__COD": "3.25",
        "reduction__NH3N": "0.4", "version": funding.current().version_id}).status_code == 302
    application = funding.current()
    assert application.status == "acceptance"
    assert application.acceptance.reductions["COD"]["source"] == "verification"
    assert application.acceptance.reductions["COD"]["baseline"] == "10.5"
    assert application.acceptance.reductions["NH3N"]["source"] == "entered"
    for user in (funding.authority_user, funding.experts[0]):  # the agency organises the acceptance
        told = db.session.scalars(db.select(Notification.kind).where(Notification.user_id == user.id)).all()
        assert told.count("funding.acceptance_report") == 1, user.email
    agency = funding.client(funding.experts[0])
    assert "/funding/queue?status=acceptance" in agency.get("/dashboard").get_data(as_text=True)
    assert "status=acceptance" in agency.get("/funding/queue?status=acceptance").get_data(as_text=True)
    assert application.reference in agency.get("/funding/queue?status=acceptance").get_data(as_text=True)

    # The authority closes with a verdict, which it must give.
    version = application.version_id
    no_verdict = funding.authority.post(url + "/acceptance/verdict", data={"comment": "资料齐全", "version": version})
    assert no_verdict.status_code == 422 and "资料齐全" in no_verdict.get_data(as_text=True)
    assert funding.authority.post(url + "/acceptance/verdict", data={
        "verdict": "passed", "comment": "验收通过，减排效果达到计划", "version": version}).status_code == 302
    application = funding.current()
    assert application.status == "closed" and application.acceptance.verdict == "passed"
    steps = [e.action for e in application.events]
    assert steps[steps.index("approve"):] == ["approve", "start_notice", "end_notice", "agreement", "disburse",
                                              "payment", "start_acceptance", "close"]
    audited = set(db.session.scalars(db.select(AuditEvent.action).where(
        AuditEvent.object_type == "FundingApplication", AuditEvent.object_id == str(application.id))))
    assert {"funding.agreement_recorded", "funding.disburse", "funding.payment_recorded",
            "funding.start_acceptance", "funding.close", "funding.acceptance_verdict"} <= audited
    page = funding.supplier.get(url).get_data(as_text=True)
    assert "验收通过，减排效果达到计划" in page and "SZHB-2026-017" in page and "PZ-2" in page

    text = pdf_text(funding.supplier.get(url + "/acceptance-certificate.pdf"))
    for fact in (application.reference, funding.org.credit_code, funding.plan.title, "1,400,000", "SZHB-2026-017",
                 "3.25", "验收通过，减排效果达到计划", funding.authority_user.organisation.name_zh):
        assert fact in text, fact


def test_a_failed_acceptance_closes_with_its_reasons_and_no_certificate(funding):
    url = funding.apply()
    to_agreement(funding, url)
    record_agreement(funding, url)
    pay(funding, url, "1000", "B1")
    funding.supplier.post(url + "/acceptance-files", data={"file": (io.BytesIO(PDF), "r.pdf")},
                          content_type="multipart/form-data")
    funding.supplier.post(url + "/acceptance", data={"acceptance_summary": "完成", "reduction__COD": "1",
                                                     "version": funding.current().version_id})
    assert funding.authority.post(url + "/acceptance/verdict", data={
        "verdict": "failed", "comment": "监测数据不足以证明减排", "version": funding.current().version_id}
    ).status_code == 302
    application = funding.current()
    assert application.status == "closed" and application.acceptance.verdict == "failed"
    assert funding.supplier.get(url + "/acceptance-certificate.pdf").status_code == 404
    assert "监测数据不足以证明减排" in funding.supplier.get(url).get_data(as_text=True)


def test_two_people_recording_a_payment_at_once_one_gets_a_conflict(funding, make):
    url = funding.apply()
    to_agreement(funding, url)
    record_agreement(funding, url)
    version = funding.current().version_id
    colleague = funding.client(make.user(funding.authority_user.organisation, locale="en"))
    assert pay(funding, url, "500000", "PZ-A", version=version).status_code == 302
    late = pay(funding, url, "600000", "PZ-B", client=colleague, version=version)
    assert late.status_code == 409
    html = late.get_data(as_text=True)
    assert "Someone else changed this application" in html and 'value="PZ-B"' in html and 'value="600000"' in html
    assert db.session.scalar(db.select(db.func.count()).select_from(Disbursement)) == 1


def test_the_cap_is_frozen_at_submission(funding):
    url = funding.apply()
    funding.to_decision(url)
    application = funding.current()
    assert application.submitted_cap == Decimal("1500000")
    assert application.submitted_breakdown["eligible_investment"] == "3000000.00"
    # The plan's investment grows afterwards: the formula would now give more, the approval may not.
    funding.plan.measures[0].equipment = Decimal("4400000")
    db.session.commit()
    page = funding.authority.get(url).get_data(as_text=True)
    assert "frozen at submission (1,500,000 yuan)" in page and "2,500,000" in page
    refused = funding.act(funding.authority, url, "approve", "", amount="1500001")
    assert refused.status_code == 422 and "1,500,000" in refused.get_data(as_text=True)
    assert funding.act(funding.authority, url, "approve", "", amount="1500000").status_code == 302


def test_the_decision_letter_states_the_decision(funding):
    url = funding.apply()
    to_agreement(funding, url, amount="1,234,567")
    text = pdf_text(funding.supplier.get(url + "/decision.pdf"))
    application = funding.current()
    for fact in (application.reference, funding.org.name_zh, funding.org.credit_code, funding.plan.title,
                 funding.programme.name, "Approved", "1,234,567", "评审通过，同意资助", "82",
                 funding.authority_user.organisation.name_zh):
        assert fact in text, fact
    url2 = funding.apply(funding.completed_plan(Decimal("200000"), Decimal("0")))
    assert funding.supplier.get(url2 + "/decision.pdf").status_code == 404  # no decision yet
    funding.upload_materials(url2)
    funding.act(funding.supplier, url2, "submit")
    funding.act(funding.authority, url2, "reject", "不属于支持范围")
    text = pdf_text(funding.authority.get(url2 + "/decision.pdf"))
    assert "Rejected" in text and "不属于支持范围" in text


def test_the_queue_exports_to_excel_with_its_filters_and_no_formulas(funding, make):
    from openpyxl import load_workbook

    url = funding.apply()
    funding.org.name_zh = "=HYPERLINK(\"http://evil.example\",\"点我\")"
    db.session.commit()
    to_agreement(funding, url, amount="1,000,000")
    record_agreement(funding, url)
    pay(funding, url, "250000", "PZ-1")
    funding.act(funding.authority, url, "start_acceptance")  # the supplier's step: refused, nothing changes
    other = funding.apply(funding.completed_plan(Decimal("300000"), Decimal("0")))
    funding.upload_materials(other)
    funding.act(funding.supplier, other, "submit")
    funding.act(funding.authority, other, "reject", "@SUM(A1) 不符合条件")
    assert funding.supplier.get("/funding/queue.xlsx").status_code == 403

    response = funding.authority.get("/funding/queue.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Reference" and rows[0][-1] == "Disbursed (yuan)"
    by_ref = {row[0]: row for row in rows[1:]}
    first = by_ref[funding.current(int(url.rsplit("/", 1)[1])).reference]
    assert first[1] == "'" + funding.org.name_zh and first[2] == funding.org.credit_code
    assert first[5] == "Disbursed" and first[7] == 1500000 and first[8] == 1000000 and first[12] == 250000
    assert first[9] == 82 and first[11] == "评审通过，同意资助"
    rejected = by_ref[funding.current(int(other.rsplit("/", 1)[1])).reference]
    assert rejected[11] == "'@SUM(A1) 不符合条件" and rejected[5] == "Rejected"
    assert all(not str(cell).startswith(("=", "+", "-", "@")) for row in rows for cell in row if cell is not None)
    # The queue's filter applies to the export too, and the queue page links to it with the filter.
    assert 'href="/funding/queue.xlsx?status=rejected"' in funding.authority.get(
        "/funding/queue?status=rejected").get_data(as_text=True)
    filtered = funding.authority.get("/funding/queue.xlsx?status=rejected")
    refs = [row[0] for row in list(load_workbook(io.BytesIO(filtered.data)).active.iter_rows(values_only=True))[1:]]
    assert refs == [rejected[0]]


@pytest.mark.postgres_only
@pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL: SQLite serialises writers anyway")
def test_parallel_payments_never_exceed_the_approved_amount(funding):
    url = funding.apply()
    to_agreement(funding, url)
    record_agreement(funding, url)
    assert pay(funding, url, "200000", "PZ-0").status_code == 302
    clients = [funding.client(funding.authority_user) for _ in range(4)]
    barrier, codes = threading.Barrier(len(clients)), []

    def pay_without_version(client, n):  # no version sent: only the row lock keeps the sum right
        barrier.wait()
        codes.append(client.post(url + "/disbursements", data={
            "amount": "500000", "paid_on": date.today().isoformat(), "batch": f"PZ-{n + 1}"}).status_code)

    threads = [threading.Thread(target=pay_without_version, args=(c, n)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    paid = db.session.scalars(db.select(Disbursement.amount)).all()
    assert sum(paid) == Decimal("1200000") and sorted(codes) == [302, 302, 422, 422]
