"""flask --app portal reminders send: the right reminders to the right people, each once, for cron."""

import copy
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import flag_modified

from portal.extensions import db
from portal.funding.models import ApplicationEvent, ExpertAssignment
from portal.notifications.models import Notification, ReminderSent
from portal.plans.models import PlanMilestone, UpgradePlan
from portal.reports.models import AnnualReport
from portal.sites.models import Site
from tests.conftest import login
from tests.portal.notifications.conftest import kinds_of

TODAY = "2026-12-01"


def an_application(funding, status, equipment):
    url = funding.apply(plan=funding.completed_plan(equipment, equipment))
    application = funding.current(int(url.rsplit("/", 1)[1]))
    application.status = status
    return application


@pytest.fixture
def deadlines(funding, make):
    """One of each deadline the portal knows, with a near miss beside most of them."""
    noticed = an_application(funding, "public_notice", 1_000_000)
    noticed.notice_ends_on = date(2026, 12, 2)  # ends tomorrow: the authority is reminded (lead 1 day)
    returned = an_application(funding, "returned", 1_100_000)
    returned.events.append(ApplicationEvent(action="return", from_status="submitted", to_status="returned",
                                            at=datetime(2026, 11, 10, 4, tzinfo=UTC)))  # 21 days ago (after 14)
    fresh = an_application(funding, "returned", 1_200_000)
    fresh.events.append(ApplicationEvent(action="return", from_status="submitted", to_status="returned",
                                         at=datetime(2026, 11, 25, 4, tzinfo=UTC)))  # 6 days ago: not yet
    reviewed = an_application(funding, "expert_review", 1_300_000)
    reviewed.assignments.append(ExpertAssignment(expert_id=funding.experts[0].id, assigned_by_id=funding
                                                 .authority_user.id, assigned_at=datetime(2026, 11, 20, 2, tzinfo=UTC)))
    reviewed.assignments.append(ExpertAssignment(expert_id=funding.experts[1].id, assigned_by_id=funding
                                                 .authority_user.id, status="scored",
                                                 assigned_at=datetime(2026, 11, 20, 2, tzinfo=UTC)))
    site = Site(organisation_id=funding.org.id, name="二厂", permit_expiry=date(2027, 1, 15))
    far_off = Site(organisation_id=funding.org.id, name="三厂", permit_expiry=date(2027, 12, 31))
    plan = UpgradePlan(organisation_id=funding.org.id, site=site, title="除尘改造", status="in_progress")
    plan.milestones += [PlanMilestone(title="设备到货", due_date=date(2026, 12, 5), responsible="王工"),
                        PlanMilestone(title="土建", due_date=date(2026, 11, 20), responsible="李工"),
                        PlanMilestone(title="验收", due_date=date(2027, 3, 1), responsible="王工"),
                        PlanMilestone(title="设计", due_date=date(2026, 11, 1), responsible="王工",
                                      done_on=date(2026, 10, 30))]
    certificates = {"certifications": {"certificates": [
        {"type": {"v": "iso14001"}, "expiry": {"v": "2027-02-01"}},
        {"type": {"v": "iso50001"}, "expiry": {"v": "2028-02-01"}}]}}
    db.session.add_all([plan, far_off, AnnualReport(organisation_id=funding.org.id, site=site, year=2025,
                                           data=certificates)])
    db.session.commit()
    return funding


def run(app, *args, today=TODAY):
    """The command's output, line by line."""
    result = app.test_cli_runner().invoke(args=["reminders", "send", *(("--today", today) if today else ()), *args])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def sent(number, day=TODAY, verb="sent"):
    return f"{day}: {number} reminders {verb}."


def test_each_deadline_reminds_the_people_who_act(app, deadlines, make, outbox):
    outsider = make.user(make.org("supplier"))
    output = run(app)
    admin = deadlines.admin
    assert sorted(kinds_of(admin)) == ["reminder.certificate_expiring", "reminder.milestone_due",
                                       "reminder.milestone_overdue", "reminder.permit_expiring",
                                       "reminder.returned_waiting"]
    assert kinds_of(deadlines.authority_user) == ["reminder.notice_ending"]
    assert kinds_of(deadlines.experts[0]) == ["reminder.expert_pending"]
    assert kinds_of(deadlines.experts[1]) == [] and kinds_of(deadlines.staff) == [] and kinds_of(outsider) == []
    assert sent(7) in output and "  reminder.milestone_due: 1" in output
    mails = {(to, subject) for to, subject, _body in outbox()}
    assert len(mails) == 7
    # In the recipient's language (the supplier admin reads English), with the dates in words.
    assert (admin.email, "Milestone “设备到货” of the upgrade plan “除尘改造” is due on Dec 5, 2026.") in mails
    assert (admin.email, "The ISO 14001 certificate of 二厂 expires on Feb 1, 2027: renew it, then update the "
                         "annual report.") in mails


def test_a_second_run_sends_nothing_more(app, deadlines, outbox):
    run(app)
    before = (db.session.scalar(select(func.count()).select_from(Notification)), len(outbox()))
    assert sent(0) in run(app)
    assert (db.session.scalar(select(func.count()).select_from(Notification)), len(outbox())) == before


def test_a_dry_run_lists_what_would_be_sent_and_sends_nothing(app, deadlines, outbox):
    output = run(app, "--dry-run")
    assert sent(7, verb="would send") in output and any(deadlines.experts[0].email in line for line in output)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 0
    assert outbox() == []
    assert sent(7) in run(app)  # and the real run afterwards still sends them


def test_today_decides_what_is_due(app, deadlines):
    # Two months earlier nothing was overdue, waiting or expiring yet.
    assert sent(0, "2026-10-01") in run(app, today="2026-10-01")
    run(app)
    # Five days later the milestone that was due is overdue: reminded again, once; nothing else repeats.
    later = run(app, today="2026-12-06")
    assert sent(1, "2026-12-06") in later and "  reminder.milestone_overdue: 1" in later


def test_without_a_day_it_takes_today_in_shenzhen(app, deadlines):
    before = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    output = run(app, "--dry-run", today=None)
    after = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert any(line.startswith((f"{before.isoformat()}: ", f"{after.isoformat()}: ")) for line in output)


def test_an_event_after_16_00_utc_counts_on_the_next_day_in_shenzhen(app, funding):
    returned = an_application(funding, "returned", 1_100_000)
    # 17:00 UTC on 16 November is 01:00 on 17 November in Shenzhen: the 14 days count from the 17th.
    returned.events.append(ApplicationEvent(action="return", from_status="submitted", to_status="returned",
                                            at=datetime(2026, 11, 16, 17, tzinfo=UTC)))
    db.session.commit()
    assert sent(0, "2026-11-30") in run(app, today="2026-11-30")
    assert sent(1, "2026-12-01") in run(app, today="2026-12-01")
    note = db.session.scalars(select(Notification)).one()
    assert note.params["returned_on"] == "2026-11-17"


def test_a_changed_deadline_is_reminded_again_and_a_rerun_is_not(app, deadlines):
    run(app)
    milestone = db.session.scalars(select(PlanMilestone).where(PlanMilestone.title == "设备到货")).one()
    milestone.due_date = date(2026, 12, 7)  # moved
    site = db.session.scalars(select(Site).where(Site.name == "二厂")).one()
    site.permit_expiry = date(2027, 1, 20)  # a corrected permit date
    db.session.commit()
    output = run(app)
    assert sent(2) in output and "  reminder.milestone_due: 1" in output and "  reminder.permit_expiring: 1" in output
    assert sent(0) in run(app)


def accepted_reports(deadlines):
    report = db.session.scalars(select(AnnualReport)).one()
    report.status = "accepted"
    db.session.commit()
    return report


def test_next_years_report_with_the_same_certificate_is_not_reminded_again(app, deadlines):
    report = accepted_reports(deadlines)
    run(app)
    db.session.add(AnnualReport(organisation_id=report.organisation_id, site_id=report.site_id, year=2026,
                                data=copy.deepcopy(report.data)))  # next year's report, copied from this one
    db.session.commit()
    assert sent(0, "2026-12-02") in run(app, today="2026-12-02")
    assert kinds_of(deadlines.admin).count("reminder.certificate_expiring") == 1


def test_an_empty_draft_for_a_new_year_does_not_hide_the_certificates_of_the_accepted_one(app, deadlines, client):
    report = accepted_reports(deadlines)
    db.session.add(AnnualReport(organisation_id=report.organisation_id, site_id=report.site_id, year=2026))
    db.session.commit()
    assert "  reminder.certificate_expiring: 1" in run(app)
    # The dashboard reads the same certificates (within its 90 days of today, so compare with a real date).
    login(client, deadlines.admin)
    certificate = report.data["certifications"]["certificates"][0]
    certificate["expiry"] = {"v": (date.today() + timedelta(days=30)).isoformat()}
    flag_modified(report, "data")
    db.session.commit()
    assert "ISO 14001 certificate of 二厂" in client.get("/dashboard").get_data(as_text=True)


def test_what_expired_long_ago_is_not_reminded(app, deadlines, monkeypatch):
    org_id = deadlines.org.id
    db.session.add_all([Site(organisation_id=org_id, name="旧厂", permit_expiry=date(2026, 9, 1)),  # 91 days ago
                        Site(organisation_id=org_id, name="四厂", permit_expiry=date(2026, 11, 20))])  # 11 days ago
    report = accepted_reports(deadlines)
    report.data["certifications"]["certificates"][1]["expiry"] = {"v": "2026-11-25"}
    flag_modified(report, "data")
    db.session.commit()
    output = run(app)
    assert "  reminder.permit_expired: 1" in output and "  reminder.certificate_expired: 1" in output
    assert any("四厂" in line for line in run(app, "--dry-run", today="2026-11-21")) is False  # already sent
    from portal.notifications import reminders

    # The window is a setting.
    monkeypatch.setitem(app.config, "REMINDER_EXPIRED_WITHIN_DAYS", 100)
    with app.test_request_context():
        assert "旧厂" in {due.params.get("site") for due in reminders.due_reminders(date(2026, 12, 1))}


def test_a_run_reads_the_same_number_of_times_however_many_reminders(app, deadlines):
    def statements_of_a_run():
        ran = []

        def record(conn, cursor, statement, *args):
            ran.append(statement)

        # Every engine: the command runs in an app of its own.
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
        try:
            run(app)
        finally:
            sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
        return len([statement for statement in ran if statement.lstrip().upper().startswith("SELECT")])

    few = statements_of_a_run()
    assert few > 5  # the run is counted (what it writes grows with what it sends: rows are inserted one by one)
    org_id = deadlines.org.id
    for n in range(4):  # more sites, reports and milestones of the same organisation, all due
        site = Site(organisation_id=org_id, name=f"新厂{n}", permit_expiry=date(2027, 1, 10 + n))
        plan = UpgradePlan(organisation_id=org_id, site=site, title=f"改造{n}", status="approved")
        plan.milestones.append(PlanMilestone(title="到货", due_date=date(2026, 12, 3), responsible="王工"))
        db.session.add_all([plan, AnnualReport(organisation_id=org_id, site=site, year=2025, data={
            "certifications": {"certificates": [{"type": {"v": "iso14001"}, "expiry": {"v": "2027-01-05"}}]}})])
    db.session.commit()
    assert statements_of_a_run() == few
    assert len(kinds_of(deadlines.admin)) == 5 + 4 * 3
