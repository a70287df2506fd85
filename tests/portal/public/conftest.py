"""A public-platform world: a supplier with published and unpublished data of every kind, each unpublished item
carrying a marker text that must never appear on a public page, in the feed or in the CSV."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from portal.extensions import db
from portal.funding.models import FundingApplication, FundingProgramme
from portal.funding.objections import Objection
from portal.plans.models import PlanMeasure, UpgradePlan
from portal.public.models import Tip
from portal.records.models import CreditRating, PenaltyExplanation, PenaltyRecord
from portal.sites.models import Site

# Texts that exist in the database but are not published: none may ever reach the public.
SECRETS = ("SECRET-DRAFT-PLAN", "SECRET-APPROVED-NOT-NOTICED", "SECRET-UNREVIEWED-EXPLANATION", "SECRET-NEW-TIP",
           "SECRET-DISMISSED-TIP", "SECRET-RAW-TIP", "SECRET-OBJECTION-TEXT", "SECRET-OBJECTOR-NAME",
           "SECRET-OBJECTOR-CONTACT", "SECRET-TIP-CONTACT", "987,654", "987654")


def city_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


class PublicWorld:
    def __init__(self, make):
        self.make = make
        self.org = make.org("supplier", name_zh="深圳市公开测试电镀有限公司", name_en="Open Test Plating Co.")
        self.programme = FundingProgramme(name="公开测试专项资金", budget=Decimal("20000000"),
                                          opens_on=date(2026, 1, 1), closes_on=date(2026, 12, 31), notice_days=5)
        self.site = Site(organisation_id=self.org.id, name="公开测试厂区")
        db.session.add_all([self.programme, self.site])
        today = city_today()
        # A project funded before it is built: its plan is under way while the notice runs (not yet completed).
        self.noticed = self.application("PUBLISHED-PROJECT 废水提标", "public_notice", amount=Decimal("1500000"),
                                        starts=today - timedelta(days=1), ends=today + timedelta(days=6),
                                        plan_status="in_progress")
        # An approved plan (not completed: not published) whose funding is decided but not yet in its notice.
        self.approved = self.application("SECRET-APPROVED-NOT-NOTICED", "approved", amount=Decimal("987654"),
                                         plan_status="approved")
        self.draft_plan = self.plan("SECRET-DRAFT-PLAN", "draft")
        self.done_plan = self.plan("DONE-PLAN 除尘改造", "verified")
        db.session.add(CreditRating(credit_code=self.org.credit_code, year=2025, level="blue", score=Decimal("82"),
                                    issuer="深圳市生态环境局"))
        rectified = PenaltyRecord(credit_code=self.org.credit_code, decided_on=date(2025, 3, 1),
                                  decision_number="深环罚〔2025〕RECT号", violation="废水超标排放", penalty="罚款5万元",
                                  status="open", rectified_at=datetime.now(UTC), rectification_note="现场核查已整改")
        open_penalty = PenaltyRecord(credit_code=self.org.credit_code, decided_on=date(2025, 6, 1),
                                     decision_number="深环罚〔2025〕OPEN号", violation="危废台账不全", penalty="警告",
                                     status="open")
        db.session.add_all([rectified, open_penalty,
                            PenaltyExplanation(organisation_id=self.org.id, penalty=rectified,
                                               text="REVIEWED-EXPLANATION 已更换膜组件"),
                            PenaltyExplanation(organisation_id=self.org.id, penalty=open_penalty,
                                               text="SECRET-UNREVIEWED-EXPLANATION")])
        db.session.add_all([
            Tip(organisation_id=self.org.id, text="SECRET-NEW-TIP", contact="SECRET-TIP-CONTACT"),
            Tip(organisation_id=self.org.id, text="SECRET-DISMISSED-TIP", status="dismissed", reviewer_note="x",
                decided_at=datetime.now(UTC)),
            Tip(organisation_id=self.org.id, text="SECRET-RAW-TIP 张三 13800000000", status="accepted",
                published_text="PUBLISHED-TIP 夜间异味", decided_at=datetime.now(UTC)),
            Objection(application_id=self.noticed.id, name="SECRET-OBJECTOR-NAME",
                      contact="SECRET-OBJECTOR-CONTACT", text="SECRET-OBJECTION-TEXT"),
        ])
        db.session.commit()

    def plan(self, title, status):
        plan = UpgradePlan(organisation_id=self.org.id, site=self.site, title=title, status=status)
        plan.measures.append(PlanMeasure(kind="dust", description="x", equipment=Decimal("2000000"),
                                         reductions={"PM": "1.5"}))
        db.session.add(plan)
        db.session.commit()
        return plan

    def application(self, title, status, *, amount, starts=None, ends=None, org=None, plan_status="completed"):
        plan = self.plan(title, plan_status) if org is None else None
        if org is not None:
            site = Site(organisation_id=org.id, name=f"site-{title}")
            plan = UpgradePlan(organisation_id=org.id, site=site, title=title, status="completed")
            db.session.add(plan)
        application = FundingApplication(
            organisation_id=(org or self.org).id, programme=self.programme, plan=plan, project_type="replacement",
            status=status, approved_amount=amount, notice_starts_on=starts, notice_ends_on=ends)
        db.session.add(application)
        db.session.commit()
        return application


@pytest.fixture
def world(app, make):
    return PublicWorld(make)


@pytest.fixture
def english(app):
    client = app.test_client()
    with client.session_transaction() as session:
        session["locale"] = "en"
    return client
