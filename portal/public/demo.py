"""Demo data of the public platform: one application of the second demo supplier (深圳市华精五金制品有限公司) that
went through the whole review and is in its public notice, so that the notices page shows a notice with its
objection form; and one tip in the reviewers' queue (not accepted: nothing of it is published). Idempotent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal import files
from portal.auth.models import User
from portal.extensions import db
from portal.funding import amounts
from portal.funding.demo import DEMO_PROGRAMME
from portal.funding.models import (
    ApplicationEvent,
    ApplicationFile,
    ExpertAssignment,
    FundingApplication,
    FundingProgramme,
)
from portal.local_time import today as shenzhen_today
from portal.plans.models import PlanEvent, PlanMeasure, PlanMilestone, UpgradePlan
from portal.public.models import Tip
from portal.sites.models import Site
from portal.workdays.calendar import add_working_days

DEMO_NOTICE_PLAN = "喷涂线VOCs收集与RTO治理设施更新改造（演示）"
DEMO_TIP = "（演示线索，未核实）有居民反映龙华一带某五金厂傍晚有油漆气味，请核查。"
STEPS = (("create", None, "draft"), ("submit", "draft", "submitted"), ("pass_check", "submitted", "expert_review"),
         ("close_review", "expert_review", "site_verification"), ("verify_site", "site_verification", "decision"),
         ("approve", "decision", "approved"), ("start_notice", "approved", "public_notice"))
# A one-page PDF standing in for each required material; the scores of the three demo experts (median 84).
DEMO_PDF = b"%PDF-1.4\n% demo material\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXPERT_SCORES = (("reviewer@demo.local", ("26", "25", "16", "15")), ("expert1@demo.local", ("25", "25", "17", "17")),
                 ("expert2@demo.local", ("27", "26", "17", "16")))
COMMENTS = {"verify_site": "现场核查：RTO设施已连续运行，在线监测数据与申报一致（演示）。",
            "approve": "专家评审及现场核查通过，按指南比例核定补助金额（演示）。"}


def load_demo_notice(organisations: dict, today: date | None = None) -> int:
    today = today or shenzhen_today()
    supplier = organisations.get("supplier2")
    programme = db.session.scalars(select(FundingProgramme).where(FundingProgramme.name == DEMO_PROGRAMME)).first()
    site = supplier and db.session.scalars(select(Site).where(Site.organisation_id == supplier.id)
                                           .order_by(Site.id)).first()
    if programme is None or site is None or db.session.scalars(select(UpgradePlan).where(
            UpgradePlan.organisation_id == supplier.id, UpgradePlan.title == DEMO_NOTICE_PLAN)).first() is not None:
        return 0
    authority = db.session.scalars(select(User).where(User.email == "authority@demo.local")).first()
    plan = UpgradePlan(organisation_id=supplier.id, site=site, title=DEMO_NOTICE_PLAN, status="completed",
                       summary="以RTO替换原活性炭吸附装置，提高喷涂废气VOCs去除效率。", baseline={}, gaps=[])
    plan.measures.append(PlanMeasure(kind="vocs_rto", description="喷涂线废气收集及RTO焚烧装置", reductions={},
                                     equipment=Decimal("1800000"), construction=Decimal("400000"),
                                     other=Decimal("80000")))
    plan.milestones.append(PlanMilestone(title="RTO调试运行", due_date=date(today.year - 1, 6, 30),
                                         responsible="陈五金", done_on=date(today.year - 1, 6, 18)))
    completed_at = datetime(today.year - 1, 6, 30, 8, tzinfo=UTC)
    plan.events.append(PlanEvent(action="complete", from_status="in_progress", to_status="completed",
                                 at=completed_at))
    breakdown = amounts.for_plan(programme.amount_rule or {}, "replacement", plan)
    amount = breakdown.amount
    applicant = db.session.scalars(select(User).where(User.email == "supplier2@demo.local")).first()
    start = datetime.now(UTC) - timedelta(days=len(STEPS) - 1)  # the last step, the notice, starts today
    application = FundingApplication(
        organisation_id=supplier.id, programme=programme, plan=plan, project_type="replacement",
        summary=plan.summary, status="public_notice", approved_amount=amount, panel_score=Decimal("84.00"),
        decision_reasons=COMMENTS["approve"], decided_by_id=authority.id if authority else None,
        notice_starts_on=today, notice_ends_on=add_working_days(today, programme.notice_days), submitted_at=start,
        submitted_cap=amount, submitted_breakdown=amounts.as_data(breakdown))
    for n, (action, before, after) in enumerate(STEPS):
        application.events.append(ApplicationEvent(
            action=action, from_status=before, to_status=after, comment=COMMENTS.get(action),
            actor_id=getattr(applicant if action in ("create", "submit") else authority, "id", None),
            at=start + timedelta(days=n)))
    _review_and_materials(application, programme, supplier.id)
    db.session.add_all([plan, application,
                        Tip(organisation_id=supplier.id, text=DEMO_TIP, contact="演示联系人 0755-00000000")])
    return 3


def _review_and_materials(application: FundingApplication, programme: FundingProgramme, organisation_id: int) -> None:
    keys = [criterion["key"] for criterion in programme.rubric or []]
    for email, points in EXPERT_SCORES:
        expert = db.session.scalars(select(User).where(User.email == email)).first()
        if expert is not None and len(keys) == len(points):
            application.assignments.append(ExpertAssignment(
                expert=expert, status="scored", scores=dict(zip(keys, points, strict=True)),
                total=sum(Decimal(p) for p in points), comments="方案可行，减排数据与监测报告一致（演示）。"))
    for material in programme.materials or []:
        stored = files.store(f"{material['label']}（演示）.pdf", DEMO_PDF)
        application.files.append(ApplicationFile(organisation_id=organisation_id, material=material["key"],
                                                 **stored))
