"""What a supplier lets each buyer see: accepted annual reports (ReportShare) and submitted assessments
(AssessmentShare, the assessment module's own sharing). Nothing else of a supplier is shown to a buyer;
removing a share removes access at once."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from portal.assessment import sharing
from portal.assessment.models import Assessment, AssessmentShare
from portal.audit.services import record_event
from portal.chains.links import buyers_of
from portal.chains.models import ChainConsent, ChainLink, ReportShare
from portal.errors import ServiceError
from portal.extensions import db
from portal.orgs.models import Organisation
from portal.reports.models import AnnualReport


def shared_reports(buyer_org_id: int) -> Select:
    """Accepted annual reports their suppliers chose to show this buyer."""
    return (select(AnnualReport).where(
        AnnualReport.status == "accepted",
        select(ReportShare.id).where(ReportShare.report_id == AnnualReport.id,
                                     ReportShare.buyer_organisation_id == buyer_org_id).exists()))


def shared_assessments(buyer_org_id: int) -> Select:
    """Submitted assessments their suppliers shared with this buyer."""
    return (select(Assessment).where(
        Assessment.status == "submitted",
        select(AssessmentShare.id).where(AssessmentShare.assessment_id == Assessment.id,
                                         AssessmentShare.buyer_organisation_id == buyer_org_id).exists()))


def consent_of(supplier_org_id: int, buyer_org_id: int) -> ChainConsent | None:
    return db.session.scalars(select(ChainConsent).where(
        ChainConsent.supplier_organisation_id == supplier_org_id,
        ChainConsent.buyer_organisation_id == buyer_org_id)).first()


def progress_shared_by(buyer_org_id: int) -> Select:
    """Ids of the suppliers that show this buyer the status of their plans and funding applications."""
    return select(ChainConsent.supplier_organisation_id).where(ChainConsent.buyer_organisation_id == buyer_org_id,
                                                               ChainConsent.share_progress.is_(True))


def apply_defaults(supplier: Organisation, buyer: Organisation, *, actor) -> ChainConsent:
    """On joining a chain: the buyer sees the supplier's accepted reports and submitted assessments, now and
    later, and the status of its plans and funding applications. The supplier can change each on its Sharing page."""
    choice = consent_of(supplier.id, buyer.id)
    if choice is None:
        choice = ChainConsent(supplier_organisation_id=supplier.id, buyer_organisation_id=buyer.id,
                              share_new=True, share_progress=True, updated_by_id=getattr(actor, "id", None))
        db.session.add(choice)
    reports = db.session.scalars(select(AnnualReport).where(AnnualReport.organisation_id == supplier.id,
                                                            AnnualReport.status == "accepted"))
    assessments = db.session.scalars(select(Assessment).where(Assessment.organisation_id == supplier.id,
                                                              Assessment.status == "submitted"))
    set_items(supplier, buyer, {r.id for r in reports}, {a.id for a in assessments}, actor=actor, only_add=True)
    return choice


def set_choices(supplier: Organisation, buyer: Organisation, *, share_new: bool, share_progress: bool,
                report_ids: set[int], assessment_ids: set[int], actor) -> None:
    """The supplier's choices for one buyer of its chains, saved as a whole from the Sharing page."""
    if buyer.id not in {org.id for org in buyers_of(supplier.id)}:
        raise ServiceError(_l("This buyer is not one of your chains."), code="not_linked")
    choice = consent_of(supplier.id, buyer.id) or ChainConsent(supplier_organisation_id=supplier.id,
                                                               buyer_organisation_id=buyer.id)
    before = {"share_new": choice.share_new, "share_progress": choice.share_progress}
    choice.share_new, choice.share_progress, choice.updated_by_id = share_new, share_progress, actor.id
    db.session.add(choice)
    changed = set_items(supplier, buyer, report_ids, assessment_ids, actor=actor)
    after = {"share_new": share_new, "share_progress": share_progress}
    if changed or before != after:
        record_event("chain.consent_changed", choice, actor=actor, organisation_id=supplier.id,
                     summary={"buyer": buyer.id, "before": before, "after": after, **changed})


def set_items(supplier: Organisation, buyer: Organisation, report_ids: set[int], assessment_ids: set[int], *,
              actor, only_add: bool = False) -> dict:
    """Shares exactly these reports and assessments of the supplier with the buyer (with `only_add`, adds them
    to what is shared). Ids that are not the supplier's own accepted/submitted items are ignored."""
    reports = {r.id: r for r in db.session.scalars(select(AnnualReport).where(
        AnnualReport.organisation_id == supplier.id, AnnualReport.status == "accepted"))}
    current = {s.report_id: s for s in db.session.scalars(select(ReportShare).where(
        ReportShare.buyer_organisation_id == buyer.id, ReportShare.report_id.in_(list(reports) or [0])))}
    wanted = report_ids & reports.keys()
    added_reports = sorted(wanted - current.keys())
    removed_reports = [] if only_add else sorted(current.keys() - wanted)
    for report_id in added_reports:
        db.session.add(ReportShare(report_id=report_id, buyer_organisation_id=buyer.id,
                                   shared_by_id=getattr(actor, "id", None)))
    for report_id in removed_reports:
        db.session.delete(current[report_id])
    changed_assessments = []
    for assessment in db.session.scalars(select(Assessment).where(Assessment.organisation_id == supplier.id,
                                                                  Assessment.status == "submitted")):
        shared_with = {share.buyer_organisation_id for share in assessment.shares}
        wants = assessment.id in assessment_ids
        if wants == (buyer.id in shared_with) or (only_add and not wants):
            continue
        sharing.set_shares(assessment, shared_with | {buyer.id} if wants else shared_with - {buyer.id}, actor=actor)
        changed_assessments.append(assessment.id)
    db.session.flush()
    if not (added_reports or removed_reports or changed_assessments):
        return {}
    return {"reports_shared": added_reports, "reports_withdrawn": removed_reports,
            "assessments_changed": changed_assessments}


def share_new_report(report: AnnualReport) -> None:
    """A report was accepted for the first time: share it with every buyer the supplier chose to share new data
    with. A corrected report accepted again keeps the shares it has: one the supplier withdrew stays withdrawn.
    The share is automatic (no person shared it: shared_by is empty) and recorded in the audit log."""
    if sum(1 for version in report.versions if version.decision == "accepted") != 1:
        return
    current = set(db.session.scalars(select(ReportShare.buyer_organisation_id).where(
        ReportShare.report_id == report.id)))
    added = sorted({choice.buyer_organisation_id for choice in _sharing_new(report.organisation_id)} - current)
    for buyer_id in added:
        db.session.add(ReportShare(report_id=report.id, buyer_organisation_id=buyer_id, shared_by_id=None))
    if added:
        record_event("chain.report_shared_automatically", report, actor=None, organisation_id=report.organisation_id,
                     summary={"buyers": added})


def share_new_assessment(assessment: Assessment, *, actor) -> None:
    """An assessment was submitted: share it with every buyer the supplier chose to share new data with."""
    buyers = {choice.buyer_organisation_id for choice in _sharing_new(assessment.organisation_id)}
    shared_with = {share.buyer_organisation_id for share in assessment.shares}
    if buyers - shared_with:
        sharing.set_shares(assessment, shared_with | buyers, actor=actor)


def _sharing_new(supplier_id: int) -> list[ChainConsent]:
    linked = select(ChainLink.buyer_organisation_id).where(ChainLink.supplier_organisation_id == supplier_id)
    return list(db.session.scalars(select(ChainConsent).where(
        ChainConsent.supplier_organisation_id == supplier_id, ChainConsent.share_new.is_(True),
        ChainConsent.buyer_organisation_id.in_(linked))))
