"""What the steps after the public notice need before the workflow takes them: a payment needs the signed
agreement, the acceptance needs its report and evidence, closing needs the verdict. The services of
portal/funding/closing.py store that data first, then take the step; a bare "act" without it is refused."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.errors import ServiceError

STEPS_WITH_DATA = frozenset({"disburse", "start_acceptance", "close"})
EVIDENCE_FIRST = _l("Attach the evidence for the acceptance (completion documents, monitoring reports) first.")


def require_data(application, action: str) -> None:
    if action == "disburse":
        if getattr(application, "agreement", None) is None:
            raise ServiceError(_l("Record the signed funding agreement before the first payment."),
                               code="incomplete")
        if not getattr(application, "disbursements", None):
            raise ServiceError(_l("Record the payment (amount, date and batch or voucher number)."),
                               code="incomplete")
    elif action == "start_acceptance":
        if getattr(application, "acceptance", None) is None:
            raise ServiceError(_l("Fill in the acceptance report with the measured reductions."), code="incomplete")
        if not getattr(application, "acceptance_files", None):
            raise ServiceError(EVIDENCE_FIRST, code="incomplete")
    elif action == "close":
        acceptance = getattr(application, "acceptance", None)
        if acceptance is None or acceptance.verdict is None:
            raise ServiceError(_l("Give the verdict of the acceptance: passed or failed."), field="verdict")
