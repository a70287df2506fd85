"""Documents of a funding application people file: the decision letter (once approved or rejected) and the
acceptance certificate (once closed with the acceptance passed) as PDFs (weasyprint, CJK fonts from the system),
and the authority's list of applications and decisions as an Excel workbook (formula-looking text neutralised)."""

from __future__ import annotations

from decimal import Decimal

from flask import render_template
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from portal.funding import services
from portal.funding.models import COMMITTED_STATUSES, FundingApplication
from portal.local_time import local_day
from portal.plans.catalogue import INDICATORS
from portal.reports.excel_template import put_cell, workbook_bytes
from portal.templating import status_label

DECIDED_STATUSES = (*COMMITTED_STATUSES, "rejected")


def decision_event(application: FundingApplication):
    return next((e for e in reversed(application.events) if e.action in ("approve", "reject")), None)


def has_decision_letter(application: FundingApplication) -> bool:
    return application.status in DECIDED_STATUSES and decision_event(application) is not None


def _pdf(template: str, **context) -> bytes:
    from weasyprint import HTML  # imported here: loading its libraries is slow and only PDFs need it

    return HTML(string=render_template(template, **context)).write_pdf()


def decision_letter_pdf(application: FundingApplication, locale: str) -> bytes:
    event = decision_event(application)
    return _pdf("funding/decision_letter_print.html", application=application, event=event, locale=locale,
                issuer=event.actor.organisation if event and event.actor else None)


def acceptance_certificate_pdf(application: FundingApplication, locale: str) -> bytes:
    closed = next((e for e in reversed(application.events) if e.action == "close"), None)
    return _pdf("funding/acceptance_certificate_print.html", application=application, event=closed, locale=locale,
                acceptance=application.acceptance, indicators={i.key: i for i in INDICATORS},
                disbursed=sum((d.amount for d in application.disbursements), Decimal(0)),
                issuer=closed.actor.organisation if closed and closed.actor else None)


def queue_workbook(applications: list[FundingApplication], project_types: dict) -> bytes:
    """One row per application: who, what, how much was asked, allowed, approved and paid, and the decision."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "applications"
    headers = (_("Reference"), _("Supplier"), _("Unified social credit code"), _("Programme"), _("Kind of project"),
               _("Status"), _("Requested (yuan)"), _("Cap at submission (yuan)"), _("Approved (yuan)"),
               _("Panel score"), _("Decision date"), _("Reasons"), _("Disbursed (yuan)"))
    for column, header in enumerate(headers, start=1):
        put_cell(sheet, 1, column, header, font=Font(bold=True))
    for row, application in enumerate(applications, start=2):
        # Only a decision that stands: none while it is reconsidered, no amount once rejected (even after notice).
        decided = decision_event(application) if application.status in DECIDED_STATUSES else None
        approved = application.approved_amount if application.status in COMMITTED_STATUSES else None
        cap = services.submitted_amount(application).amount  # frozen at submission; computed now before that
        values = (application.reference, application.organisation.name_zh, application.organisation.credit_code,
                  application.programme.name, str(project_types.get(application.project_type, "")),
                  status_label(application.status), application.requested_amount, cap, approved,
                  application.panel_score, local_day(decided.at) if decided else None,
                  application.decision_reasons or "", sum((d.amount for d in application.disbursements), Decimal(0)))
        for column, value in enumerate(values, start=1):
            cell = put_cell(sheet, row, column, value, text=column == 3)
            if isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
            elif column == 11 and value is not None:
                cell.number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEFGHIJKLM", (14, 32, 22, 36, 20, 14, 16, 18, 16, 10, 12, 48, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "B2"
    return workbook_bytes(workbook)

