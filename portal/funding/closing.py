"""After the public notice: the authority records the signed funding agreement, then the payments (the first moves
the application to "disbursed"; their sum never exceeds the approved amount); the supplier reports the finished
project for acceptance with evidence and the measured reductions; the technical agency (or the authority) closes it
with a verdict. Each change is one transaction, audited and on the application's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal import files
from portal.access import is_platform_admin
from portal.audit.services import record_event
from portal.database import utcnow
from portal.errors import ConflictError, ServiceError
from portal.extensions import db
from portal.funding import services
from portal.funding.closing_models import VERDICTS, Acceptance, AcceptanceFile, Agreement, Disbursement
from portal.funding.models import ApplicationEvent, FundingApplication
from portal.funding.workflow import is_applicant, is_authority, organises_checks
from portal.locale_format import number
from portal.locking import check_version, flush_or_conflict
from portal.numbers import to_decimal
from portal.plans import services as plans
from portal.plans.catalogue import INDICATORS

PAYING_STATUSES = ("agreement", "disbursed", "acceptance")
NOT_ALLOWED = _l("This step is not open to you in the application's current state.")
NUMBER_LENGTH = 60  # the columns of Agreement.number and Disbursement.batch
VOUCHER_TAKEN = _l("A payment with this voucher number is already recorded (voucher numbers are unique across all "
                   "applications).")


def _number(value: str, field: str, missing) -> str:
    """A typed agreement or voucher number: required, and refused (never cut) when longer than its column."""
    value = (value or "").strip()
    if not value:
        raise ServiceError(missing, field=field)
    if len(value) > NUMBER_LENGTH:
        raise ServiceError(_l("Use at most %(count)d characters.", count=NUMBER_LENGTH), field=field)
    return value


def disbursed_sum(application_id: int) -> Decimal:
    return db.session.scalar(select(func.coalesce(func.sum(Disbursement.amount), 0)).where(
        Disbursement.application_id == application_id)) or Decimal(0)


def _timeline(application: FundingApplication, action: str, comment: str, actor) -> None:
    """A step that records data without changing the state (the agreement, a later payment)."""
    application.events.append(ApplicationEvent(action=action, from_status=None, to_status=application.status,
                                                comment=comment, actor_id=actor.id))
    application.updated_at = utcnow()  # bumps the version: a second person's stale page gets a conflict


def record_agreement(application: FundingApplication, number: str, signed_on: date | None, filename: str,
                     data: bytes, *, expected_version: int | None, actor, today: date) -> Agreement:
    check_version(application, expected_version, services.CONFLICT)
    if application.status != "agreement" or not is_authority(actor):
        raise ServiceError(NOT_ALLOWED, code="not_allowed")
    number = _number(number, "agreement_number", _l("Enter the agreement number."))
    if signed_on is None or signed_on > today:
        raise ServiceError(_l("Enter the day the agreement was signed (not in the future)."), field="signed_on")
    if files.sniff(data) != "application/pdf":  # checked before storing: a refused upload leaves nothing on disk
        raise ServiceError(_l("Upload the signed agreement as a PDF."), field="agreement_file")
    stored = files.store(filename, data, field="agreement_file")
    # No flush before flush_or_conflict: a first agreement saved by someone else meanwhile is a conflict there.
    with db.session.no_autoflush:
        agreement = application.agreement
        if agreement is None:
            agreement = Agreement(organisation_id=application.organisation_id)
            application.agreement = agreement
        for name, value in {"number": number, "signed_on": signed_on, "uploaded_by_id": actor.id,
                            "uploaded_at": utcnow(), **stored}.items():
            setattr(agreement, name, value)
        _timeline(application, "agreement", f"{number} · {signed_on.isoformat()}", actor)
        record_event("funding.agreement_recorded", application, actor=actor,
                     summary={"number": number, "signed_on": signed_on, "file": stored["filename"],
                              "sha256": stored["sha256"]})
    flush_or_conflict(services.CONFLICT)
    return agreement


def _locked(application: FundingApplication) -> FundingApplication:
    """The application's row, locked until the transaction ends (PostgreSQL), so that two payments recorded at
    once are summed one after the other."""
    return db.session.scalars(select(FundingApplication).where(FundingApplication.id == application.id)
                              .with_for_update().execution_options(populate_existing=True)).one()


def disburse(application: FundingApplication, amount: Decimal | None, paid_on: date | None, batch: str, note: str,
             *, expected_version: int | None, actor, today: date) -> Disbursement:
    if application.status == "agreement":
        services.check_step(application, "disburse", expected_version=expected_version, actor=actor)
    else:
        check_version(application, expected_version, services.CONFLICT)
        if application.status not in PAYING_STATUSES or not is_authority(actor):
            raise ServiceError(NOT_ALLOWED, code="not_allowed")
    if amount is None or amount <= 0:
        raise ServiceError(_l("Enter the amount paid in yuan, for example 750,000."), field="amount")
    signed_on = application.agreement.signed_on if application.agreement is not None else None
    if paid_on is None or paid_on > today or (signed_on is not None and paid_on < signed_on):
        raise ServiceError(_l("Enter the day it was paid (not in the future, not before the agreement was "
                              "signed)."), field="paid_on")
    batch = _number(batch, "batch", _l("Enter the batch or payment voucher number."))
    status = application.status
    application = _locked(application)
    check_version(application, expected_version, services.CONFLICT)  # read again under the lock
    if application.status != status:
        raise ConflictError(services.CONFLICT, code="conflict")
    if db.session.scalar(select(Disbursement.id).where(Disbursement.batch == batch)) is not None:
        raise ServiceError(VOUCHER_TAKEN, field="batch")
    paid = disbursed_sum(application.id)
    left = (application.approved_amount or Decimal(0)) - paid
    if amount > left:
        raise ServiceError(_l("Only %(left)s yuan of the approved %(approved)s yuan are left to pay.",
                              left=number(left), approved=number(application.approved_amount or 0)), field="amount")
    if amount != left:  # the balance may carry fen an older approval had; any other payment is whole yuan
        services.check_whole_yuan(amount, "amount")
    payment = Disbursement(amount=amount, paid_on=paid_on, batch=batch, note=(note or "").strip() or None,
                           recorded_by_id=actor.id)
    comment = f"{batch} · {amount:,} · {paid_on.isoformat()}" + (f" · {payment.note}" if payment.note else "")
    try:  # the flush tells the same voucher saved on another application meanwhile
        with db.session.no_autoflush:
            application.disbursements.append(payment)
            record_event("funding.payment_recorded", application, actor=actor,
                         summary={"batch": batch, "amount": amount, "paid_on": paid_on, "paid_before": paid})
            if application.status == "agreement":
                services.act(application, "disburse", comment, expected_version=None, actor=actor, today=today)
            else:
                _timeline(application, "payment", comment, actor)
        flush_or_conflict(services.CONFLICT)
    except ConflictError as err:
        if _voucher_taken(err.__cause__):
            raise ServiceError(VOUCHER_TAKEN, field="batch") from err
        raise
    return payment


def _voucher_taken(error) -> bool:
    """The unique voucher number, taken by a payment on another application saved at the same moment."""
    if not isinstance(error, IntegrityError):
        return False
    constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None)  # PostgreSQL names it
    return constraint == "uq_funding_disbursements_batch" or "funding_disbursements.batch" in str(error.orig)


def attach_evidence(application: FundingApplication, filename: str, data: bytes, *, actor) -> AcceptanceFile:
    if application.status != "disbursed" or not is_applicant(actor, application):
        raise ServiceError(_l("Evidence for the acceptance is uploaded by the supplier once the funds are paid "
                              "and before the acceptance starts."), code="not_allowed")
    stored = files.store(filename, data)
    item = AcceptanceFile(organisation_id=application.organisation_id, uploaded_by_id=actor.id, **stored)
    application.acceptance_files.append(item)
    application.updated_at = utcnow()
    record_event("funding.acceptance_file_attached", application, actor=actor,
                 summary={"file": item.filename, "sha256": stored["sha256"]})
    return item


@dataclass(frozen=True)
class Measured:
    """A reduction the portal can prefill: baseline minus the later accepted figure, and where both came from."""

    key: str
    value: Decimal
    baseline: Decimal
    after: Decimal
    baseline_year: int | None
    year: int
    verified: bool  # from the plan's recorded verification; otherwise compared now


def measured_reductions(plan) -> dict[str, Measured]:
    """The plan's verification (baseline against the first accepted annual report after the baseline year), or
    the same comparison made now when the plan was not verified; empty when there is no such report yet."""
    result, verified = plan.verification, True
    if not result:
        verified = False
        try:
            result = plans.comparison(plan)
        except ServiceError:
            return {}
    found = {}
    for key, entry in (result.get("indicators") or {}).items():
        before, after = to_decimal(entry.get("baseline")), to_decimal(entry.get("after"))
        if before is not None and after is not None:
            found[key] = Measured(key, before - after, before, after, plan.baseline_year, result["year"], verified)
    return found


def expected_reductions(plan) -> dict[str, Decimal]:
    """What the plan's measures expect to reduce per indicator, with the CO2 an electricity saving avoids (when
    the plan states no CO2 figure of its own)."""
    expected = plans.expected_totals(plan)
    avoided = plans.avoided_co2(plan, expected)
    if avoided is not None:
        expected.setdefault("ghg", avoided.tonnes)
    return expected


def read_reductions(form) -> tuple[dict[str, str], dict[str, str]]:
    """(figures as typed per indicator, errors per field) from the acceptance form."""
    typed, errors = {}, {}
    for indicator in INDICATORS:
        raw = (form.get(f"reduction__{indicator.key}") or "").strip()
        if raw:
            typed[indicator.key] = raw
            if to_decimal(raw) is None:
                errors[f"reduction__{indicator.key}"] = str(_l("Enter a number, for example 12.5."))
    return typed, errors


def start_acceptance(application: FundingApplication, summary: str, typed: dict[str, str], *,
                     expected_version: int | None, actor, today: date) -> Acceptance:
    services.check_step(application, "start_acceptance", expected_version=expected_version, actor=actor)
    summary = (summary or "").strip()
    if not summary:
        raise ServiceError(_l("Describe the finished project and how the reductions were measured."),
                           field="acceptance_summary")
    if not typed:
        raise ServiceError(_l("Give at least one measured reduction."), field="reductions")
    prefilled = measured_reductions(application.plan)
    units = {i.key: i.unit for i in INDICATORS}
    reductions = {}
    for key, raw in typed.items():
        value, known = to_decimal(raw), prefilled.get(key)
        entry = {"value": str(value), "unit": units[key], "source": "entered"}
        if known is not None and known.value == value:
            entry.update(source="verification" if known.verified else "comparison", baseline=str(known.baseline),
                         after=str(known.after), baseline_year=known.baseline_year, year=known.year)
        reductions[key] = entry
    with db.session.no_autoflush:  # a report sent by someone else meanwhile: a conflict at act's flush
        application.acceptance = Acceptance(summary=summary, reductions=reductions, submitted_by_id=actor.id)
        record_event("funding.acceptance_report", application, actor=actor, summary={"reductions": reductions})
        services.act(application, "start_acceptance", summary, expected_version=None, actor=actor, today=today)
    return application.acceptance


def close(application: FundingApplication, verdict: str, comment: str, *, expected_version: int | None, actor,
          today: date) -> None:
    services.check_step(application, "close", expected_version=expected_version, actor=actor)
    if verdict not in VERDICTS:
        raise ServiceError(_l("Choose the verdict: passed or failed."), field="verdict")
    acceptance = application.acceptance
    if acceptance is not None:
        acceptance.verdict, acceptance.verdict_comment = verdict, (comment or "").strip() or None
        acceptance.decided_by_id, acceptance.decided_at = actor.id, utcnow()
    application.final_amount = disbursed_sum(application.id)  # the unpaid remainder goes back to the budget
    services.act(application, "close", comment, expected_version=None, actor=actor, today=today)
    record_event("funding.acceptance_verdict", application, actor=actor,
                 summary={"verdict": verdict, "final_amount": application.final_amount})


def reads_papers(user, application: FundingApplication) -> bool:
    """Who may open the signed agreement, the acceptance evidence, the decision letter and the certificate."""
    return is_authority(user) or is_applicant(user, application) or is_platform_admin(user)


def reads_evidence(user, application: FundingApplication) -> bool:
    """The acceptance evidence: also for the technical agency, which organises the acceptance."""
    return reads_papers(user, application) or organises_checks(user, application)


def certificate_ready(application: FundingApplication) -> bool:
    acceptance = getattr(application, "acceptance", None)
    return application.status == "closed" and acceptance is not None and acceptance.verdict == "passed"


def page_context(application: FundingApplication, user) -> dict:
    """What the application page shows and offers about the agreement, payments and acceptance."""
    paid = disbursed_sum(application.id) if application.id else Decimal(0)
    authority = is_authority(user)
    reporting = application.status == "disbursed"
    measured = measured_reductions(application.plan) if reporting else {}
    expected = expected_reductions(application.plan) if reporting else {}
    return {
        "paid": paid,
        "left_to_pay": (application.approved_amount or Decimal(0)) - paid,
        "may_record_agreement": authority and application.status == "agreement",
        "may_pay": authority and application.status in PAYING_STATUSES and application.agreement is not None,
        "may_attach_evidence": application.status == "disbursed" and is_applicant(user, application),
        "measured": measured,
        "expected": expected,
        # The acceptance form asks first for what the plan expected to reduce; the others wait, folded.
        "planned_indicators": [i for i in INDICATORS if i.key in expected],
        "other_indicators": [i for i in INDICATORS if i.key not in expected],
        "indicators": INDICATORS,
        "certificate_ready": certificate_ready(application) and reads_papers(user, application),
        "reads_papers": reads_papers(user, application),
        "reads_evidence": reads_evidence(user, application),
    }
