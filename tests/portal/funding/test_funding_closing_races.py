"""Steps after the public notice taken by two people at the same moment (issue #7): one voucher number recorded on
two applications, and one acceptance report sent by two admins. One wins, the other is told why, nothing is saved
twice and nothing half. The payments racing past the approved amount are in test_funding_closing.py."""

import io
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.funding.closing_models import Acceptance, Disbursement
from portal.funding.models import ApplicationEvent
from portal.notifications.models import Notification
from portal.notifications.recipients import members_of_kind
from portal.orgs.models import OrgKind
from tests.conftest import is_postgres
from tests.portal.funding.conftest import PDF
from tests.portal.funding.test_funding_closing import pay, record_agreement, to_agreement

CONFLICT_TEXT = "Someone else changed this application while you were working on it."
VOUCHER_TAKEN = "A payment with this voucher number is already recorded"

POSTGRES = pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL: SQLite serialises writers anyway")


def at_once(calls):
    """Runs every call in its own thread, released together; their answers in the order of `calls`. A request that
    raised (a 500 outside testing) fails the test here with its error."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
    db.session.expire_all()
    return [future.result() for future in futures]


def application_id(url) -> int:
    return int(url.rsplit("/", 1)[1])


def at_agreement(funding, plan=None):
    """A new application (the newest, which the helpers of test_funding_closing act on) with its signed agreement."""
    url = funding.apply(plan)
    to_agreement(funding, url)
    assert record_agreement(funding, url, agreement_number=f"SZHB-{application_id(url)}").status_code == 302
    return url


@pytest.mark.postgres_only
@POSTGRES
def test_one_voucher_on_two_applications_at_once_is_saved_once(funding, make):
    first = at_agreement(funding)
    second = at_agreement(funding, funding.completed_plan(Decimal("2500000"), Decimal("600000")))
    colleague = funding.client(make.user(funding.authority_user.organisation, locale="en"))
    urls, clients = (first, second), (funding.authority, colleague)
    versions = [funding.current(application_id(url)).version_id for url in urls]
    answers = at_once([lambda u=url, c=client, v=version: pay(funding, u, "500000", "PZ-2026-001", client=c,
                                                                version=v)
                       for url, client, version in zip(urls, clients, versions, strict=True)])

    codes = [answer.status_code for answer in answers]
    assert sorted(codes) == [302, 422], codes  # never a 500, nor a conflict message about the wrong application
    saved = db.session.scalars(db.select(Disbursement)).all()
    assert [(d.batch, d.amount) for d in saved] == [("PZ-2026-001", Decimal("500000"))]
    winner, loser = (0, 1) if codes[0] == 302 else (1, 0)
    assert saved[0].application_id == application_id(urls[winner])
    # Whichever way the race went (the check before saving, or the unique index), the refused person reads that
    # the voucher is taken, beside the field, and keeps what was typed.
    html = answers[loser].get_data(as_text=True)
    assert VOUCHER_TAKEN in html and 'id="batch-error"' in html
    assert 'value="PZ-2026-001"' in html and 'value="500000"' in html
    refused = funding.current(application_id(urls[loser]))
    assert refused.status == "agreement" and refused.disbursements == []
    assert refused.version_id == versions[loser]  # not even the timeline moved
    assert funding.current(application_id(urls[winner])).status == "disbursed"
    # The refused payment can be recorded with its own voucher number afterwards.
    assert pay(funding, urls[loser], "500000", "PZ-2026-002", client=clients[loser],
               version=versions[loser]).status_code == 302


def at_acceptance_step(funding):
    """An application paid and with its evidence attached: its admins may send the acceptance report."""
    url = at_agreement(funding)
    assert pay(funding, url, "1000", "PZ-1").status_code == 302
    assert funding.supplier.post(url + "/acceptance-files", data={"file": (io.BytesIO(PDF), "验收监测报告.pdf")},
                                 content_type="multipart/form-data").status_code == 302
    return url


@pytest.mark.postgres_only
@POSTGRES
def test_two_admins_sending_the_acceptance_report_at_once_one_gets_a_conflict(funding, make):
    url = at_acceptance_step(funding)
    admins = [funding.admin, make.user(funding.org, locale="en")]
    clients = [funding.supplier, funding.client(admins[1])]
    application = funding.current(application_id(url))
    version, notified_before = application.version_id, db.session.scalar(db.select(db.func.max(Notification.id)))
    answers = at_once([lambda c=client, n=n: c.post(url + "/acceptance", data={
        "acceptance_summary": f"设施稳定运行一年（报告 {n}）", "reduction__COD": str(n + 1), "version": version})
        for n, client in enumerate(clients)])

    codes = [answer.status_code for answer in answers]
    assert sorted(codes) == [302, 409], codes
    winner, loser = (0, 1) if codes[0] == 302 else (1, 0)
    html = answers[loser].get_data(as_text=True)
    assert CONFLICT_TEXT in html and f"设施稳定运行一年（报告 {loser}）" in html  # what was typed stays
    # One report, the winner's, whole: its figures, one step on the timeline, one audit event of each kind.
    application = funding.current(application_id(url))
    assert application.status == "acceptance"
    reports = db.session.scalars(db.select(Acceptance)).all()
    assert [(r.submitted_by_id, r.summary, r.reductions["COD"]["value"]) for r in reports] == [
        (admins[winner].id, f"设施稳定运行一年（报告 {winner}）", str(winner + 1))]
    steps = db.session.scalars(db.select(ApplicationEvent.actor_id).where(
        ApplicationEvent.application_id == application.id, ApplicationEvent.action == "start_acceptance")).all()
    assert steps == [admins[winner].id]
    audited = Counter(db.session.scalars(db.select(AuditEvent.action).where(
        AuditEvent.object_type == "FundingApplication", AuditEvent.object_id == str(application.id),
        AuditEvent.action.in_(("funding.acceptance_report", "funding.start_acceptance")))))
    assert audited == {"funding.acceptance_report": 1, "funding.start_acceptance": 1}
    # Whoever checks the acceptance hears of it once; nobody hears of it twice.
    told = db.session.execute(db.select(Notification.user_id, Notification.kind).where(
        Notification.id > (notified_before or 0))).all()
    assert max(Counter(told).values()) == 1, told
    checkers = {user.id for user in members_of_kind(OrgKind.AUTHORITY) + members_of_kind(OrgKind.AGENCY)}
    heard = Counter(user_id for user_id, _kind in told if user_id in checkers)
    assert heard and set(heard.values()) == {1}, told
