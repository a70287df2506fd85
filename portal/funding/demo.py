"""The demo funding programme, on the terms of Shenzhen's 2022 call for pollution-treatment facilities
(DOMAIN.md §7), and one completed upgrade plan of the demo supplier to apply with. Idempotent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select

from portal.auth.models import User
from portal.auth.passwords import hash_password
from portal.extensions import db
from portal.funding.models import FundingProgramme
from portal.orgs.models import MemberRole
from portal.plans.models import PlanEvent, PlanMeasure, PlanMilestone, UpgradePlan
from portal.sites.models import Site

DEMO_PROGRAMME = "污染处理设施更新改造与提标升级事后补贴（演示）"
DEMO_DESCRIPTION = """\
依据《2022年深圳市生态环境专项资金申报指南》污染处理设施类条款设置的演示项目。

【已发布指南的条款】
- 事后补贴：项目完成后申请。
- 污染处理设施更新改造：补贴不超过建设费用的50%，单个项目最高500万元；新设施投入运行不超过3年；申请前1年内无超标记录。
- 污染处理设施提标升级：补贴不超过建设费用的50%，单个项目最高1000万元；该类别的其他条件本平台未能核实，未设为规则。

【深圳市其他专项资金文件的条款】
- 环境信用评价为环保不良（红牌）的企业不得申报。
- 项目完成后不超过3年申报（专项资金操作规程征求意见稿）。
- 公示期5个工作日，异议须以书面形式、署真实姓名提出，匿名异议不予受理。

【本演示项目的设置（非指南条款）】
- 预算2000万元、申报时间、专家评分标准及分值、申报材料清单。
- 符合条件的投资额 = 升级计划各项措施的设备费 + 建设费。
- “申请前1年内无超标记录”以平台导入的处罚记录近似判断：
  标为重大违法的不通过；来源未分类的记录在形式审查时由主管部门核实。
- 公示期按工作日计算时未扣除法定节假日，由主管部门核对公布的截止日。
"""
DEMO_RULES = [
    {"key": "registered_in_city"},
    {"key": "no_major_violation", "years": 1},
    {"key": "credit_rating", "excluded": ["red"]},
    {"key": "no_duplicate_funding"},
    {"key": "project_stage", "stage": "completed", "within_years": 3},
]
DEMO_AMOUNT_RULE = {"share": "0.5", "base": ["equipment", "construction"],
                    "caps": {"replacement": "5000000", "upgrade": "10000000"}}
DEMO_RUBRIC = [
    {"key": "c1", "label": "技术方案的可行性与先进性", "weight": 30},
    {"key": "c2", "label": "污染物减排效果（与基准年比较）", "weight": 30},
    {"key": "c3", "label": "投资的真实性与合理性", "weight": 20},
    {"key": "c4", "label": "运行管理与监测", "weight": 20},
]
DEMO_MATERIALS = [
    {"key": "m1", "label": "申报书（加盖公章）"},
    {"key": "m2", "label": "项目竣工验收资料"},
    {"key": "m3", "label": "投资凭证（合同、发票、付款记录）"},
    {"key": "m4", "label": "设施运行及监测报告"},
]
DEMO_PLAN = "含镍废水处理设施提标改造（演示）"
# Two more experts of the technical agency, so that a panel of three (with reviewer@demo.local) can be formed.
DEMO_EXPERTS = (("expert1@demo.local", "孙专家"), ("expert2@demo.local", "吴专家"))


def load_demo_funding(organisations: dict, today: date | None = None) -> int:
    from portal.demo import DEMO_PASSWORD

    today = today or date.today()
    created = 0
    if db.session.scalars(select(FundingProgramme).where(FundingProgramme.name == DEMO_PROGRAMME)).first() is None:
        db.session.add(FundingProgramme(
            name=DEMO_PROGRAMME, description=DEMO_DESCRIPTION, budget=Decimal("20000000"),
            opens_on=date(today.year, 1, 1), closes_on=date(today.year + 1, 3, 31), rules=DEMO_RULES,
            amount_rule=DEMO_AMOUNT_RULE, rubric=DEMO_RUBRIC, materials=DEMO_MATERIALS, notice_days=5))
        created += 1
    agency = organisations.get("agency")
    for email, name in DEMO_EXPERTS if agency is not None else ():
        if db.session.scalars(select(User).where(User.email == email)).first() is None:
            db.session.add(User(email=email, name=name, password_hash=hash_password(DEMO_PASSWORD),
                                organisation=agency, role=MemberRole.STAFF))
            created += 1
    supplier = organisations.get("supplier")
    site = supplier and db.session.scalars(select(Site).where(Site.organisation_id == supplier.id)
                                           .order_by(Site.id)).first()
    if site is not None and db.session.scalars(select(UpgradePlan).where(
            UpgradePlan.organisation_id == supplier.id, UpgradePlan.title == DEMO_PLAN)).first() is None:
        plan = UpgradePlan(organisation_id=supplier.id, site=site, title=DEMO_PLAN, status="completed",
                           summary="更换含镍废水处理线，出水执行更严格的排放限值。", baseline={}, gaps=[])
        plan.measures.append(PlanMeasure(kind="wastewater", description="含镍废水膜处理系统", reductions={},
                                         equipment=Decimal("2400000"), construction=Decimal("600000"),
                                         other=Decimal("150000")))
        plan.milestones.append(PlanMilestone(title="设施调试运行", due_date=date(today.year - 1, 9, 30),
                                             responsible="李环保", done_on=date(today.year - 1, 9, 20)))
        completed_at = datetime(today.year - 1, 9, 30, 8, tzinfo=UTC)
        for action, before, after in (("create", None, "draft"), ("submit", "draft", "submitted"),
                                      ("approve", "submitted", "approved"), ("start", "approved", "in_progress"),
                                      ("complete", "in_progress", "completed")):
            plan.events.append(PlanEvent(action=action, from_status=before, to_status=after, at=completed_at))
        db.session.add(plan)
        created += 1
    return created
