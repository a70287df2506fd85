"""What's next for suppliers and reviewers on the dashboard: reports to start, finish or review, and permits
and certificates that expire within 90 days."""

from __future__ import annotations

from datetime import date, timedelta

from flask import url_for
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.dashboard.tasks import Task
from portal.extensions import db
from portal.reports import services, workflow
from portal.reports.models import AnnualReport
from portal.reports.schema import SECTIONS, section
from portal.reports.values import is_blank_row, parse, table_rows
from portal.sites.models import Site

EXPIRY_WARNING_DAYS = 90


def supplier_tasks(user, today: date | None = None) -> list[Task]:
    today = today or date.today()
    tasks: list[Task] = []
    sites = list(db.session.scalars(select(Site).where(Site.organisation_id == user.organisation_id)
                                    .order_by(Site.name)))
    # report.site comes from the identity map: the sites of the organisation were just loaded.
    reports = list(db.session.scalars(select(AnnualReport).where(
        AnnualReport.organisation_id == user.organisation_id)))
    by_site_year = {(r.site_id, r.year): r for r in reports}
    if not sites:
        tasks.append(Task(str(_l("Add your factory sites")), str(_l("Each site reports its own annual data."))
                          , url_for("sites.new"), str(_l("Add a site"))))
    for site in sites:
        year = today.year - 1
        if (site.id, year) not in by_site_year:
            tasks.append(Task(str(_l("%(year)d annual report for %(site)s", year=year, site=site.name)),
                              str(_l("Not started")), url_for("reports.index"), str(_l("Start"))))
    for report in sorted(reports, key=lambda r: (r.year, r.id)):
        if report.status not in workflow.EDITABLE:
            continue
        # Sections not yet filled in; their errors are the report page's business, not the dashboard's.
        status = services.section_status(report, [])
        left = sum(1 for key in status if status[key] != "done")
        detail = (_l("Returned by the reviewer: see the comments") if report.status == "returned"
                  else _l("%(count)d of %(total)d sections left", count=left, total=len(SECTIONS)))
        tasks.append(Task(str(_l("%(year)d annual report for %(site)s", year=report.year, site=report.site.name)),
                          str(detail), url_for("reports.detail", report_id=report.id), str(_l("Continue"))))
    soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    for site in sites:
        if not site.permit_expiry or site.permit_expiry > soon:
            continue
        words = {"site": site.name, "date": format_date(site.permit_expiry, "long")}
        if site.permit_expiry < today:
            title = _l("Discharge permit of %(site)s expired on %(date)s", **words)
            detail = _l("Apply for a new permit now, or correct the expiry date if it was renewed.")
        else:
            title = _l("Discharge permit of %(site)s expires %(date)s", **words)
            detail = _l("Apply to renew it in time.")
        tasks.append(Task(str(title), str(detail), url_for("sites.edit", site_id=site.id), str(_l("Open site"))))
    tasks.extend(_certificate_tasks(reports, today, soon))
    return tasks


def certificate_label(code) -> str:
    kind = next(c for c in section("certifications").item("certificates").columns if c.key == "type")
    return str(dict(kind.choices).get(code, ""))


def expiring_certificates(reports, soon: date) -> list[tuple[AnnualReport, str, date]]:
    """(report, certificate type code, expiry) for the certificates that expire by `soon` (or have expired), read
    from each site's most recent report whose certificates table is not empty; the dashboard and the reminders
    both read it.

    Why that rule: a new year's report starts as an empty draft, and reading only the newest report would hide the
    certificates the accepted earlier one lists until the new one is filled in. A supplier who renews a certificate
    updates it in the report being written, and that counts at once (it need not wait for the review)."""
    certifications = section("certifications")
    table = certifications.item("certificates")
    expiry = next(c for c in table.columns if c.key == "expiry")
    kind = next(c for c in table.columns if c.key == "type")
    listed: dict[int, tuple[AnnualReport, list[dict]]] = {}
    for report in reports:
        rows = [row for row in table_rows(report.data or {}, certifications, table) if not is_blank_row(row)]
        if rows and (report.site_id not in listed or report.year > listed[report.site_id][0].year):
            listed[report.site_id] = (report, rows)
    found = []
    for report, rows in listed.values():
        for row in rows:
            ends = parse(expiry, row.get("expiry")).value
            if isinstance(ends, date) and ends <= soon:
                found.append((report, parse(kind, row.get("type")).value, ends))
    return found


def certificate_link(report: AnnualReport) -> str:
    """Where to update a certificate: the report's certificates section while it is editable, else the report."""
    if report.status in workflow.EDITABLE:
        return url_for("reports.edit_section", report_id=report.id, section_key="certifications")
    return url_for("reports.detail", report_id=report.id)


def _certificate_tasks(reports, today: date, soon: date) -> list[Task]:
    """Certificates (as expiring_certificates reads them) that expire within 90 days or have expired."""
    tasks = []
    for report, code, ends in expiring_certificates(reports, soon):
        words = {"certificate": certificate_label(code), "site": report.site.name, "date": format_date(ends, "long")}
        title = (_l("%(certificate)s certificate of %(site)s expired on %(date)s", **words) if ends < today
                 else _l("%(certificate)s certificate of %(site)s expires %(date)s", **words))
        tasks.append(Task(str(title), str(_l("Renew it, then update the annual report.")), certificate_link(report),
                          str(_l("Open"))))
    return tasks


def reviewer_tasks(user) -> list[Task]:
    waiting, oldest = db.session.execute(select(func.count(), func.min(AnnualReport.submitted_at)).where(
        AnnualReport.status == "submitted")).one()
    if not waiting:
        return []
    return [Task(str(_l("Annual reports waiting for review")),
                 str(_l("%(count)d waiting; the oldest since %(date)s", count=waiting,
                        date=format_date(oldest, "long"))),
                 url_for("review.queue"), str(_l("Review")))]
