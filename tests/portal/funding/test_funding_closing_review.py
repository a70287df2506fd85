"""The closing steps under pressure: a form gone because someone else acted first, amounts and numbers the database
cannot hold, who may read the papers, the budget freed by closing, the export of decisions that no longer stand."""

import io
import threading
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import current_app
from openpyxl import load_workbook
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.funding import closing, services
from portal.funding.closing_models import Agreement, Disbursement
from portal.funding.models import ExpertAssignment
from tests.conftest import is_postgres
from tests.portal.funding.conftest import PDF
from tests.portal.funding.test_funding_closing import pay, record_agreement, to_agreement


def to_acceptance(funding, url, paid="1000"):
    to_agreement(funding, url)
    assert record_agreement(funding, url).status_code == 302
    assert pay(funding, url, paid, f"PZ-{url.rsplit('/', 1)[1]}").status_code == 302
    funding.supplier.post(url + "/acceptance-files", data={"file": (io.BytesIO(PDF), "r.pdf")},
                          content_type="multipart/form-data")
    assert funding.supplier.post(url + "/acceptance", data={
        "acceptance_summary": "完成", "reduction__COD": "1", "version": funding.current().version_id}
    ).status_code == 302


def test_a_second_close_keeps_what_was_typed_read_only(funding, make):
    url = funding.apply()
    to_acceptance(funding, url)
    version = funding.current().version_id
    colleague = funding.client(make.user(funding.authority_user.organisation, locale="en"))
    assert funding.authority.post(url + "/acceptance/verdict", data={
        "verdict": "passed", "comment": "通过", "version": version}).status_code == 302
    late = colleague.post(url + "/acceptance/verdict", data={
        "verdict": "failed", "comment": "监测报告第三页数据缺失，请补充", "version": version})
    html = late.get_data(as_text=True)
    assert late.status_code == 409 and 'data-transition="close"' not in html  # the form is gone ...
    assert "What you typed (not saved)" in html and "监测报告第三页数据缺失，请补充" in html  # ... the words are not
    assert "readonly" in html.split("What you typed (not saved)")[1].split("</section>")[0]


def test_a_payment_after_the_last_one_keeps_the_typed_figures(funding, make):
    url = funding.apply()
    to_agreement(funding, url, amount="1,000")
    record_agreement(funding, url)
    version = funding.current().version_id
    colleague = funding.client(make.user(funding.authority_user.organisation, locale="en"))
    assert pay(funding, url, "1000", "PZ-ALL", version=version).status_code == 302  # nothing left to pay
    late = pay(funding, url, "400", "PZ-LATE-77", client=colleague, version=version)
    html = late.get_data(as_text=True)
    assert late.status_code == 409 and 'name="batch"' not in html and "PZ-LATE-77" in html


def test_approved_and_paid_amounts_with_fen_are_refused_not_rounded(funding):
    url = funding.apply()
    funding.to_decision(url)
    for typed in ("1,200,000.50", "1000.005"):
        refused = funding.act(funding.authority, url, "approve", "", amount=typed)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422 and 'id="amount-approve-error"' in html and f'value="{typed}"' in html
        assert "Enter whole yuan, without fen." in html and funding.current().status == "decision"
    assert funding.act(funding.authority, url, "approve", "", amount="1,200,000.00").status_code == 302
    assert funding.current().approved_amount == Decimal("1200000")
    funding.act(funding.authority, url, "start_notice")
    application = funding.current()
    application.notice_ends_on = date.today() - timedelta(days=2)
    db.session.commit()
    funding.act(funding.authority, url, "end_notice", "无异议")
    record_agreement(funding, url)
    for typed in ("0.50", "0.001", "1e30"):
        refused = pay(funding, url, typed, "PZ-1")
        assert refused.status_code == 422
    assert "Enter whole yuan, without fen." in pay(funding, url, "750,000.5", "PZ-1").get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Disbursement)) == 0
    assert pay(funding, url, "750,000", "PZ-1").status_code == 302
    assert funding.current().disbursements[0].amount == Decimal("750000")
    # An approval kept from before the rule, with fen, can still be paid to the last fen: the balance is accepted.
    application = funding.current()
    application.approved_amount = Decimal("1200000.50")
    db.session.commit()
    assert "Enter whole yuan, without fen." in pay(funding, url, "100,000.5", "PZ-2").get_data(as_text=True)
    assert pay(funding, url, "450,000.50", "PZ-2").status_code == 302
    assert sum(d.amount for d in funding.current().disbursements) == Decimal("1200000.50")


def test_a_requested_amount_with_fen_is_refused_beside_the_field(funding):
    url = funding.apply()
    for typed in ("1,400,000.5", "1000.001"):
        response = funding.supplier.post(url, data={"project_type": "upgrade", "requested_amount": typed,
                                                    "version": funding.current().version_id})
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and f'value="{typed}"' in html and 'id="requested_amount-error"' in html
        assert "Enter whole yuan, without fen." in html and funding.current().requested_amount is None


def test_numbers_longer_than_their_column_are_refused_not_cut(funding):
    url = funding.apply()
    to_agreement(funding, url)
    long_number = "SZHB-" + "7" * 56
    refused = record_agreement(funding, url, agreement_number=long_number)
    assert refused.status_code == 422 and "at most 60 characters" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Agreement)) == 0
    assert record_agreement(funding, url, agreement_number="SZHB-" + "7" * 55).status_code == 302
    long_batch = pay(funding, url, "100", "PZ-" + "9" * 58)
    assert long_batch.status_code == 422 and f'value="PZ-{"9" * 58}"' in long_batch.get_data(as_text=True)
    assert pay(funding, url, "100", "PZ-" + "9" * 57).status_code == 302


def test_a_refused_agreement_upload_leaves_nothing_on_disk(funding):
    url = funding.apply()
    to_agreement(funding, url)
    before = {p for p in Path(current_app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()}
    png = b"\x89PNG\r\n\x1a\nnever-stored-" + url.encode()
    assert record_agreement(funding, url, agreement_file=(io.BytesIO(png), "scan.png")).status_code == 422
    assert {p for p in Path(current_app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()} == before


def test_a_voucher_number_pays_one_application_only(funding):
    first = funding.apply()
    to_agreement(funding, first, amount="1,000")
    record_agreement(funding, first)
    assert pay(funding, first, "100", "PZ-2026-001").status_code == 302
    second = funding.apply(funding.completed_plan(Decimal("300000"), Decimal("0")))  # the latest: current()
    to_agreement(funding, second, amount="1,000")
    record_agreement(funding, second, agreement_number="A-2")
    again = pay(funding, second, "100", "PZ-2026-001")
    assert again.status_code == 422 and "unique across all applications" in again.get_data(as_text=True)


def test_the_database_refusing_a_taken_voucher_is_told_apart_from_other_refusals(funding):
    """What the unique index says when a voucher was saved on another application at the same moment (the race
    itself runs in test_funding_closing_races.py on PostgreSQL), on whichever database this run uses."""
    url = funding.apply()
    to_agreement(funding, url)
    record_agreement(funding, url)
    assert pay(funding, url, "100", "PZ-9").status_code == 302
    application = funding.current()
    for row, taken in ((Disbursement(amount=Decimal("1"), paid_on=date.today(), batch="PZ-9"), True),
                       (Agreement(organisation_id=application.organisation_id, number="A-2", signed_on=date.today(),
                                  filename="a.pdf", content_type="application/pdf", size=1, sha256="0" * 64), False)):
        row.application_id = application.id  # a second payment with the voucher; a second agreement
        db.session.add(row)
        with pytest.raises(IntegrityError) as refused:
            db.session.flush()
        db.session.rollback()
        assert closing._voucher_taken(refused.value) is taken


def test_a_payment_before_the_agreement_was_signed_is_refused(funding):
    url = funding.apply()
    to_agreement(funding, url)
    record_agreement(funding, url, signed_on=date.today().isoformat())
    early = funding.authority.post(url + "/disbursements", data={
        "amount": "100", "paid_on": (date.today() - timedelta(days=3)).isoformat(), "batch": "PZ-1",
        "version": funding.current().version_id})
    assert early.status_code == 422 and funding.current().status == "agreement"


def test_papers_for_the_applicant_authority_and_admins_and_the_evidence_also_for_the_agency(funding, make):
    url = funding.apply()
    to_acceptance(funding, url)
    application = funding.current()
    expert = funding.client(funding.experts[0])  # assigned and scored before the decision
    admin = funding.client(make.user(None, locale="en"))
    evidence = f"/funding/acceptance-files/{application.acceptance_files[0].id}"
    papers = (f"/funding/agreements/{application.agreement.id}/file", evidence, url + "/decision.pdf")
    for path in papers:
        for client in (funding.supplier, funding.authority, admin):
            assert client.get(path).status_code == 200, path
        # The agency organises the acceptance: its members read the evidence, not the agreement or the letter.
        assert expert.get(path).status_code == (200 if path == evidence else 404), path
    assert funding.client(make.user(make.org("supplier"), locale="en")).get(evidence).status_code == 404
    application.assignments.append(ExpertAssignment(expert_id=funding.experts[4].id, status="recused"))
    db.session.commit()
    assert funding.client(funding.experts[4]).get(evidence).status_code == 404  # recused: stays out of it
    assert funding.client(funding.experts[3]).get(evidence).status_code == 200
    shown = expert.get(url)
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "/decision.pdf" not in page and "/funding/agreements/" not in page
    assert expert.get("/funding/queue.xlsx").status_code == 403
    assert "queue.xlsx" not in expert.get("/funding/queue").get_data(as_text=True)


def test_closing_frees_the_unpaid_remainder_of_the_budget(funding):
    url = funding.apply()
    to_acceptance(funding, url, paid="600000")
    programme_id = funding.programme.id
    assert services.committed_sum(programme_id) == Decimal("1400000")
    assert funding.authority.post(url + "/acceptance/verdict", data={
        "verdict": "passed", "comment": "通过", "version": funding.current().version_id}).status_code == 302
    application = funding.current()
    assert application.final_amount == Decimal("600000") and application.approved_amount == Decimal("1400000")
    assert services.committed_sum(programme_id) == Decimal("600000")
    assert "Final amount: 600,000 yuan" in funding.supplier.get(url).get_data(as_text=True)


def test_the_export_shows_only_decisions_that_stand(funding):
    url = funding.apply()
    funding.to_decision(url)
    funding.act(funding.authority, url, "approve", "同意", amount="1,000,000")
    funding.act(funding.authority, url, "start_notice")
    assert funding.act(funding.authority, url, "reject", "公示期间收到实名异议，经核实成立").status_code == 302
    application = funding.current()
    application.submitted_cap = application.submitted_breakdown = None  # submitted before the cap was frozen
    db.session.commit()
    rows = list(load_workbook(io.BytesIO(funding.authority.get("/funding/queue.xlsx").data)).active.iter_rows(
        values_only=True))
    row = next(r for r in rows if r[0] == application.reference)
    assert row[5] == "Rejected" and row[8] is None and row[10] is not None
    assert row[7] == services.submitted_amount(application).amount
    page = funding.authority.get(url).get_data(as_text=True)
    assert "it is frozen from the next submission" in page


def test_staff_are_told_what_they_can_do_and_a_missing_baseline_year_is_named(funding):
    url = funding.apply()
    funding.plan.baseline_year = None
    funding.plan.verification = {"year": 2025, "report_id": None,
                                 "indicators": {"COD": {"baseline": "10.5", "after": "7.25", "change": "-3.25"}}}
    db.session.commit()
    to_agreement(funding, url)
    record_agreement(funding, url)
    pay(funding, url, "1000", "PZ-1")
    staff = funding.client(funding.staff)
    assert "an admin of your organisation sends the acceptance report" in staff.get("/dashboard").get_data(
        as_text=True)
    assert "send the acceptance report" in funding.supplier.get("/dashboard").get_data(as_text=True)
    page = funding.supplier.get(url).get_data(as_text=True)
    assert "(None)" not in page and "year not recorded" in page


@pytest.mark.postgres_only
@pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL: SQLite serialises writers anyway")
def test_two_first_agreements_at_once_one_gets_a_conflict_not_an_error(funding):
    url = funding.apply()
    to_agreement(funding, url)
    clients = [funding.client(funding.authority_user) for _ in range(3)]
    barrier, codes = threading.Barrier(len(clients)), []

    def record(client, n):  # no version sent: only the database's unique row stops the second agreement
        barrier.wait()
        codes.append(client.post(url + "/agreement", data={
            "agreement_number": f"A-{n}", "signed_on": date.today().isoformat(),
            "agreement_file": (io.BytesIO(PDF), "a.pdf")}, content_type="multipart/form-data").status_code)

    threads = [threading.Thread(target=record, args=(c, n)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(codes) == 3 and 302 in codes and set(codes) <= {302, 409}  # no thread died of an error
    assert db.session.scalar(db.select(db.func.count()).select_from(Agreement)) == 1
