"""What each kind of notification says. A message is rendered when it is read, in the reader's language.

Parameters: `status`/`before` are workflow states (shown by their label), `certificate` a certificate type code
of the annual report, a {"zh": ..., "en": ...} dict an organisation's names, names ending in `_on` are ISO dates
(shown in the reader's date format); everything else is shown as given (text on one line) and escaped by the page
like any text.
Add a kind here before calling notify() with it.
"""

from __future__ import annotations

from datetime import date

from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l

MESSAGES = {
    # Annual reports
    "report.submitted": _l("%(org)s submitted the %(year)s annual report for %(site)s for review."),
    "report.returned": _l("Your %(year)s annual report for %(site)s was returned with comments: correct it and "
                          "submit it again."),
    "report.accepted": _l("Your %(year)s annual report for %(site)s was accepted."),
    "report.correction_started": _l("%(org)s reopened its accepted %(year)s annual report for %(site)s for a "
                                    "correction (reason: %(reason)s); the corrected version comes to you for review."),
    # Self-assessments
    "assessment.submitted": _l("%(org)s submitted a self-assessment (%(score)s points, grade %(grade)s): it waits "
                               "for verification."),
    "assessment.verified": _l("Your self-assessment was verified: %(score)s points, grade %(grade)s."),
    # Organisations
    "orgs.join_request": _l("%(person)s (%(email)s) asks to join your organisation."),
    # Credit and penalty records
    "records.penalty_rectified": _l("Penalty %(number)s was marked rectified."),
    "records.penalty_explained": _l("%(org)s explained penalty %(number)s with its rectification evidence: check "
                                    "it and mark the penalty rectified if it is."),
    # Upgrade plans (kind = plan.<workflow action>)
    "plan.submit": _l("%(org)s submitted the upgrade plan “%(title)s” for review."),
    "plan.comment": _l("The technical agency commented on your upgrade plan “%(title)s”: revise and resubmit it."),
    "plan.approve": _l("Your upgrade plan “%(title)s” was approved."),
    "plan.start": _l("%(org)s started the work on the upgrade plan “%(title)s”."),
    "plan.complete": _l("%(org)s completed the upgrade plan “%(title)s”: it is ready to verify."),
    "plan.verify": _l("Your upgrade plan “%(title)s” was verified against later annual data."),
    # Funding applications
    "funding.status": _l("Funding application %(ref)s is now: %(status)s."),
    "funding.submitted": _l("%(org)s submitted funding application %(ref)s: it waits for the formal check."),
    "funding.resubmitted": _l("%(org)s resubmitted funding application %(ref)s after its return."),
    "funding.site_check_due": _l("The expert review of %(org)s's funding application %(ref)s is closed: it waits "
                                 "for the on-site check."),
    "funding.decision_due": _l("The on-site check of %(org)s's funding application %(ref)s is recorded: it waits for "
                               "the decision."),
    "funding.acceptance_report": _l("%(org)s sent the acceptance report of funding application %(ref)s: it waits "
                                    "for your verdict."),
    "funding.expert_assigned": _l("You were assigned to review funding application %(ref)s: declare any conflict "
                                  "of interest, then score it."),
    "funding.scores_complete": _l("Every assigned expert has scored funding application %(ref)s: the expert "
                                  "review can be closed."),
    "funding.withdrawn": _l("%(org)s withdrew funding application %(ref)s; nothing more is needed from you. Reason: "
                            "%(comment)s"),
    "funding.objection_filed": _l("An objection to the public notice of funding application %(ref)s was filed: "
                                  "record how it was resolved before the notice ends."),
    "funding.objection_upheld": _l("An objection to the public notice of funding application %(ref)s was upheld: "
                                   "the authority decides the application again (its resolution is on the notice "
                                   "page)."),
    # Supply chains (portal/chains)
    "chain.invited": _l("%(inviter)s invites your company into the supply chain of %(buyer)s (tier %(tier)s): "
                        "accept or decline on the supply chain page."),
    "chain.joined": _l("%(org)s accepted your invitation and joined the supply chain of %(buyer)s as tier %(tier)s."),
    "chain.declined": _l("%(org)s declined your invitation to join the supply chain of %(buyer)s as tier %(tier)s."),
    # Trainings and on-site guidance (portal/capacity; kind = guidance.<workflow action>)
    "training.cancelled": _l("The training “%(title)s” on %(starts_on)s was cancelled: %(reason)s"),
    "training.changed": _l("The time or place of the training “%(title)s” changed: it now starts %(when)s (Shenzhen "
                           "time). Check the details."),
    "guidance.requested": _l("%(org)s requests an on-site guidance visit to %(site)s."),
    "guidance.schedule": _l("The on-site guidance visit to %(site)s is scheduled for %(visit)s (Shenzhen time)."),
    "guidance.reschedule": _l("The on-site guidance visit to %(site)s was moved to %(visit)s (Shenzhen time)."),
    "guidance.record": _l("The experts recorded the findings of their visit to %(site)s."),
    "guidance.close": _l("The on-site guidance request for %(site)s was closed."),
    "guidance.cancel": _l("%(org)s cancelled its request for an on-site guidance visit to %(site)s."),
    "guidance.decline": _l("The technical agency declined the on-site guidance request for %(site)s: %(comment)s"),
    # Reminders (flask --app portal reminders send)
    "reminder.notice_ending": _l("The public notice of funding application %(ref)s ends on %(ends_on)s: "
                                 "conclude the notice."),
    "reminder.returned_waiting": _l("Funding application %(ref)s was returned on %(returned_on)s and has not been "
                                    "resubmitted yet."),
    "reminder.expert_pending": _l("Funding application %(ref)s still waits for your declaration or scores "
                                  "(assigned on %(assigned_on)s)."),
    "reminder.milestone_due": _l("Milestone “%(milestone)s” of the upgrade plan “%(title)s” is due on %(due_on)s."),
    "reminder.milestone_overdue": _l("Milestone “%(milestone)s” of the upgrade plan “%(title)s” was due on "
                                     "%(due_on)s and is overdue."),
    "reminder.permit_expiring": _l("The discharge permit of %(site)s expires on %(expires_on)s: apply to renew it "
                                   "in time."),
    "reminder.permit_expired": _l("The discharge permit of %(site)s expired on %(expires_on)s."),
    "reminder.certificate_expiring": _l("The %(certificate)s certificate of %(site)s expires on %(expires_on)s: renew "
                                        "it, then update the annual report."),
    "reminder.certificate_expired": _l("The %(certificate)s certificate of %(site)s expired on %(expires_on)s."),
}
UNKNOWN = _l("Something changed: open it to see what.")


class _Params(dict):
    """Missing parameters show as a dash instead of breaking the page (old rows, renamed parameters)."""

    def __missing__(self, key):
        return "—"


def _shown(name: str, value):
    from portal.templating import status_label

    if value is None:
        return "—"
    if isinstance(value, dict):  # an organisation's names
        return (value.get("en") if str(get_locale()) == "en" else None) or value.get("zh") or "—"
    if name in ("status", "before"):
        return status_label(value)
    if name == "certificate":
        from portal.reports.tasks import certificate_label

        return certificate_label(value) or value
    if name.endswith("_on") and isinstance(value, str | date):
        try:
            return format_date(value if isinstance(value, date) else date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, str):  # a message is one line (it is an e-mail's subject): typed line breaks are spaces
        return " ".join(value.split())
    return value


def render(kind: str, params: dict) -> str:
    message = MESSAGES.get(kind)
    if message is None:
        return str(UNKNOWN)
    values = _Params({name: _shown(name, value) for name, value in params.items()})
    try:
        return str(message) % values
    except (TypeError, ValueError):
        return str(message)
