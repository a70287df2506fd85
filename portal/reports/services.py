"""Creating, filling, submitting and reviewing annual reports. Services flush, never commit."""

from __future__ import annotations

import copy
from datetime import datetime
from functools import lru_cache

from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.audit.services import record_event
from portal.auth.models import User
from portal.chains import consent
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.local_time import today
from portal.locale_format import exact, unit_label
from portal.locking import check_version, flush_or_conflict
from portal.notifications import notify
from portal.notifications.recipients import AGENCY, members_of_kind
from portal.orgs.membership import active_admins
from portal.reports import workflow
from portal.reports.models import AnnualReport, ReportVersion, ReviewComment
from portal.reports.schema import SECTIONS, Table, field_at, section
from portal.reports.validation import Issue, blocking, validate
from portal.reports.values import cell, parse, refs, table_rows
from portal.sites.models import Site

CONFLICT = _l("Someone else saved this report while you were editing it. What you typed is still in the form; "
              "review it against the saved values and save again.")


# Every report page reads the site (its permit decides what is required) and the site's organisation (its name).
REPORT_PAGE = (joinedload(AnnualReport.site).joinedload(Site.organisation),)


def previous_accepted_data(report: AnnualReport) -> dict | None:
    """What was accepted for the same site last year (the latest accepted version), if anything."""
    return db.session.scalars(
        select(ReportVersion.data).join(AnnualReport, ReportVersion.report_id == AnnualReport.id)
        .where(AnnualReport.site_id == report.site_id, AnnualReport.year == report.year - 1,
               ReportVersion.decision == "accepted")
        .order_by(ReportVersion.number.desc()).limit(1)).first()


def check(report: AnnualReport) -> list[Issue]:
    return validate(report.data or {}, holds_permit=report.site.holds_permit,
                    previous=previous_accepted_data(report))


def create_report(site: Site, year: int, *, actor: User, from_last_year: bool = False) -> AnnualReport:
    if year > today().year:
        raise ServiceError(_l("A year's data is reported once the year has begun: enter %(year)d or earlier.",
                              year=today().year), field="year")
    if db.session.scalars(select(AnnualReport).where(AnnualReport.site_id == site.id,
                                                     AnnualReport.year == year)).first():
        raise ServiceError(_l("This site already has a report for %(year)d.", year=year), field="year")
    data, source = {}, None
    if from_last_year:
        source = db.session.scalars(select(AnnualReport).where(AnnualReport.site_id == site.id,
                                                               AnnualReport.year == year - 1)).first()
        if source is None:
            raise ServiceError(_l("There is no report for %(year)d to start from.", year=year - 1), field="year")
        data = carry_forward(source.data or {})
    report = AnnualReport(organisation_id=site.organisation_id, site=site, year=year, data=data,
                          copied_from_id=getattr(source, "id", None), updated_by_id=actor.id)
    db.session.add(report)
    record_event("report.created", report, actor=actor,
                 summary={"site": site.name, "year": year, "from_last_year": bool(source)})
    return report


def carry_forward(data: dict) -> dict:
    """Last year's report as this year's starting draft; hazardous waste stored at the end becomes this
    year's opening storage."""
    fresh = copy.deepcopy(data)
    for row in (fresh.get("hazardous_waste") or {}).get("lines") or []:
        if isinstance(row, dict):
            row["stored_start"] = row.get("stored_end")
    return fresh


def save_section(report: AnnualReport, section_key: str, values: dict, explanations: dict, *,
                 expected_version: int | None, actor: User) -> None:
    """Keeps exactly what was typed (valid or not): a draft is never lost to a validation error."""
    if not workflow.can_edit(actor, report):
        raise ServiceError(_l("This report is not open for editing."), code="locked")
    check_version(report, expected_version, CONFLICT)
    data = dict(report.data or {})
    data[section_key] = values
    report.data = data
    kept = {path: text for path, text in (report.explanations or {}).items()
            if not path.startswith(section_key + ".")}
    kept.update({path: text for path, text in explanations.items() if text.strip()})
    report.explanations = kept
    report.updated_by_id = actor.id
    flush_or_conflict(CONFLICT)


def submit(report: AnnualReport, *, actor: User) -> ReportVersion:
    if not workflow.can(actor, "submit", report):
        raise ServiceError(_l("This report cannot be submitted now."), code="not_allowed")
    problems = blocking(check(report), report.explanations or {})
    if problems:
        raise ServiceError(_l("%(count)d problems need attention before the report can be submitted.",
                              count=len(problems)), code="invalid")
    version = ReportVersion(report=report, number=len(report.versions) + 1, data=copy.deepcopy(report.data),
                            explanations=dict(report.explanations or {}),
                            correction_reason=report.correction_reason, submitted_by_id=actor.id)
    db.session.add(version)
    report.status, report.submitted_at = "submitted", utcnow()
    record_event("report.submitted", report, actor=actor, summary={"version": version.number})
    notify(members_of_kind(AGENCY), "report.submitted", mail_template="notification",
           link=url_for("review.review_report", report_id=report.id), org=report.site.organisation, year=report.year,
           site=report.site.name)
    return version


def return_report(report: AnnualReport, comments: dict[str, str], note: str | None, *, actor: User) -> None:
    if not workflow.can(actor, "return", report):
        raise ServiceError(_l("This report cannot be returned now."), code="not_allowed")
    comments = {path: text.strip() for path, text in comments.items() if text and text.strip()}
    if not comments and not (note or "").strip():
        raise ServiceError(_l("Say what needs to change: comment on a field or write a note."), field="note")
    version = report.latest_version
    for path, text in comments.items():
        db.session.add(ReviewComment(report_id=report.id, version_id=version.id, field_path=path, text=text,
                                     author_id=actor.id))
    _decide(report, version, "returned", note, actor)
    record_event("report.returned", report, actor=actor, summary={"version": version.number,
                                                                  "comments": len(comments), "note": note})


def accept(report: AnnualReport, note: str | None, *, actor: User) -> None:
    if not workflow.can(actor, "accept", report):
        raise ServiceError(_l("This report cannot be accepted now."), code="not_allowed")
    version = report.latest_version
    _decide(report, version, "accepted", note, actor)
    report.accepted_at = version.decided_at
    record_event("report.accepted", report, actor=actor, summary={"version": version.number, "note": note})
    consent.share_new_report(report)


def _decide(report: AnnualReport, version: ReportVersion, decision: str, note: str | None, actor: User) -> None:
    now = utcnow()
    version.decision, version.decided_by_id, version.decided_at, version.decision_note = decision, actor.id, now, note
    report.status = decision
    notify(active_admins(report.organisation_id), f"report.{decision}", mail_template="report_decided",
           link=url_for("reports.detail", report_id=report.id), year=report.year, site=report.site.name,
           report=report, decision=decision, note=note)


def correct(report: AnnualReport, reason: str, *, actor: User) -> None:
    if not workflow.can(actor, "correct", report):
        raise ServiceError(_l("Only an accepted report can be corrected."), code="not_allowed")
    if not (reason or "").strip():
        raise ServiceError(_l("Give the reason for the correction; the reviewer sees it."), field="reason")
    report.status, report.correction_reason = "draft", reason.strip()
    record_event("report.correction_started", report, actor=actor, summary={"reason": reason.strip()})
    # The technical agency reviews the corrected version when it is submitted again.
    notify(members_of_kind(AGENCY), "report.correction_started", mail_template="notification",
           link=url_for("reports.detail", report_id=report.id), org=report.site.organisation, year=report.year,
           site=report.site.name, reason=report.correction_reason)


def comments_by_path(report: AnnualReport, version: ReportVersion | None = None) -> dict[str, list[ReviewComment]]:
    """The comments of the latest decision (or of `version`), so a returned report shows them beside each field."""
    version = version or report.latest_version
    if version is None:
        return {}
    found: dict[str, list[ReviewComment]] = {}
    for comment in db.session.scalars(select(ReviewComment).where(ReviewComment.version_id == version.id)
                                      .order_by(ReviewComment.id)):
        found.setdefault(comment.field_path, []).append(comment)
    return found


def last_return(report: AnnualReport) -> ReportVersion | None:
    """The return the version under review answers (the one before it), or the latest version when that was
    returned: the reviewer checks each comment of it was addressed."""
    return next((v for v in reversed(report.versions[-2:]) if v.decision == "returned"), None)


def review_rows(data: dict, earlier: dict[str, list[ReviewComment]],
                earlier_data: dict | None = None) -> tuple[dict, dict, dict]:
    """The review page's rows per section, (path, cell) of every value and of every empty field an earlier comment
    was about; the earlier comments shown beside those rows; and per section the earlier comments no row shows (on
    the section, or on a line of a table whose lines were added or removed since: line 2 may now be another waste),
    so none goes missing or sits beside the wrong line."""
    before = data if earlier_data is None else earlier_data
    moved = {f"{sec.key}.{table.key}." for sec in SECTIONS for table in sec.items if isinstance(table, Table)
             and len(table_rows(data, sec, table)) != len(table_rows(before, sec, table))}
    beside = {path: comments for path, comments in earlier.items() if not path.startswith(tuple(moved))}
    rows: dict[str, list[tuple[str, tuple]]] = {}
    for ref, raw in refs(data):
        shown = cell(raw)
        if shown[0].strip() or ref.path in beside:
            rows.setdefault(ref.section.key, []).append((ref.path, shown))
    listed = {path for section_rows in rows.values() for path, _shown in section_rows}
    unplaced: dict[str, list[ReviewComment]] = {}
    for path, comments in earlier.items():
        if path not in listed or path not in beside:
            unplaced.setdefault(path.split(".", 1)[0], []).extend(comments)
    return rows, beside, unplaced


def flat_values(data: dict) -> dict[str, tuple[str, str | None]]:
    return {ref.path: cell(raw) for ref, raw in refs(data) if cell(raw)[0].strip()}


def changes_between(old: dict | None, new: dict) -> list[tuple[str, tuple | None, tuple | None]]:
    """(path, old cell, new cell) for every value that differs between two versions."""
    before, after = flat_values(old or {}), flat_values(new)
    return [(path, before.get(path), after.get(path)) for path in sorted(set(before) | set(after))
            if before.get(path) != after.get(path)]


def value_text(path: str, shown: tuple[str, str | None] | None) -> str:
    """A stored cell as the reader reads it: a choice's label, a number grouped as the reader's language groups it,
    each with its own unit ("1,350,000 千瓦时", "市政污水处理厂"); input that does not read stays as typed."""
    text, unit = shown or ("", None)
    spec = field_at(path)
    if not text.strip() or spec is None:
        return text.strip() or "—"
    parsed = parse(spec, {"v": text, "u": unit})
    if parsed.error:
        value = text.strip()
    elif spec.kind == "choice":
        value = str(dict(spec.choices).get(parsed.value, parsed.value))
    elif spec.kind in ("decimal", "integer"):
        value = exact(parsed.value)
    else:
        value = str(parsed.value)
    return f"{value} {unit_label(parsed.unit)}" if spec.units and parsed.unit else value


def days_waiting(report: AnnualReport, now: datetime | None = None) -> int | None:
    """Days since submission, for a report waiting for a decision only (None otherwise)."""
    if report.status != "submitted" or report.submitted_at is None:
        return None
    return ((now or utcnow()) - report.submitted_at).days


def section_status(report: AnnualReport, issues: list[Issue]) -> dict[str, str]:
    """empty / errors / done per section, for the stepper: a section nobody has opened yet is "not started",
    even when it has required fields."""
    status = {}
    for sec in SECTIONS:
        if not (report.data or {}).get(sec.key):
            status[sec.key] = "empty"
        elif any(i.section_key == sec.key and i.level == "error" for i in issues):
            status[sec.key] = "errors"
        else:
            status[sec.key] = "done"
    return status


def label_of(path: str) -> str:
    """'energy.electricity' → 'Energy › Electricity consumed' for lists of changes and comments."""
    return _label_of(path, get_locale())


@lru_cache(maxsize=4096)
def _label_of(path: str, locale) -> str:
    # Depends only on the schema and the catalogue of `locale` (the one in force), which never change in a
    # process; the review page asks for dozens of labels, each several catalogue lookups.
    parts = path.split(".")
    sec = section(parts[0])
    if sec is None:
        return path
    if len(parts) == 1:
        return str(sec.label)
    item = sec.item(parts[1])
    if len(parts) >= 4:
        column = next((c for c in item.columns if c.key == parts[3]), None)
        return f"{sec.label} › {item.label} #{int(parts[2]) + 1} › {column.label if column else parts[3]}"
    if len(parts) == 3:  # a table column summed over lines (year-on-year)
        column = next((c for c in item.columns if c.key == parts[2]), None)
        return f"{sec.label} › {item.label} › {column.label if column else parts[2]}"
    return f"{sec.label} › {item.label}"


def blocking_issues(report: AnnualReport, issues: list[Issue]) -> list[Issue]:
    return blocking(issues, report.explanations or {})
