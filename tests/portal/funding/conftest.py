"""A funding world: the demo programme's terms, a supplier with a completed plan, the authority and five experts."""

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.funding import demo
from portal.funding.models import FundingApplication, FundingProgramme
from portal.plans.models import PlanEvent, PlanMeasure, UpgradePlan
from portal.sites.models import Site
from tests.conftest import login

PDF = b"%PDF-1.4 material"


class FundingWorld:
    def __init__(self, app, make):
        self.app, self.make = app, make
        today = date.today()
        self.programme = FundingProgramme(
            name="2022 call (test)", budget=Decimal("20000000"), opens_on=today - timedelta(days=30),
            closes_on=today + timedelta(days=30), rules=demo.DEMO_RULES, amount_rule=demo.DEMO_AMOUNT_RULE,
            rubric=demo.DEMO_RUBRIC, materials=demo.DEMO_MATERIALS[:2], notice_days=5)
        db.session.add(self.programme)
        self.org = make.org("supplier", district="440306")
        self.admin, self.staff = make.user(self.org, locale="en"), make.user(self.org, role="staff", locale="en")
        self.authority_user = make.user(make.org("authority"), locale="en")
        agency = make.org("agency")
        self.experts = [make.user(agency, name=f"专家{n}") for n in range(5)]
        self.plan = self.completed_plan(Decimal("2400000"), Decimal("600000"))
        self.supplier, self.authority = self.client(self.admin), self.client(self.authority_user)

    def completed_plan(self, equipment, construction, completed=None, org=None):
        org = org or self.org
        site = Site(organisation_id=org.id, name=f"site-{equipment}-{org.id}")
        plan = UpgradePlan(organisation_id=org.id, site=site, title=f"提标改造 {equipment}", status="completed")
        plan.measures.append(PlanMeasure(kind="wastewater", description="x", equipment=equipment,
                                         construction=construction, other=Decimal("150000")))
        plan.events.append(PlanEvent(action="complete", from_status="in_progress", to_status="completed",
                                     at=completed or datetime.now(UTC) - timedelta(days=100)))
        db.session.add(plan)
        db.session.commit()
        return plan

    def client(self, user):
        client = self.app.test_client()
        login(client, user)
        return client

    def current(self, application_id=None) -> FundingApplication:
        db.session.expire_all()
        stmt = db.select(FundingApplication)
        if application_id:
            stmt = stmt.where(FundingApplication.id == application_id)
        return db.session.scalars(stmt.order_by(FundingApplication.id.desc())).first()

    def apply(self, plan=None, project_type="upgrade", client=None):
        response = (client or self.supplier).post(f"/funding/programmes/{self.programme.id}/apply", data={
            "plan_id": (plan or self.plan).id, "project_type": project_type})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response.headers["Location"]

    def upload_materials(self, url, client=None):
        for material in self.programme.materials:
            (client or self.supplier).post(url + "/files", data={"material": material["key"], "file": (
                io.BytesIO(PDF), f"{material['key']}.pdf")}, content_type="multipart/form-data")

    def act(self, client, url, action, comment="", **extra):
        application = self.current(int(url.rsplit("/", 1)[1]))
        return client.post(url + "/act", data={"action": action, "comment": comment,
                                                "version": application.version_id, **extra})

    def to_expert_review(self, url):
        self.upload_materials(url)
        assert self.act(self.supplier, url, "submit").status_code == 302
        assert self.act(self.authority, url, "pass_check").status_code == 302

    def review_by(self, url, scores_by_expert):
        """Assigns the experts, who declare no conflict and give these totals (all on the first criterion
        scaled over the rubric), then closes the review."""
        experts = self.experts[:len(scores_by_expert)]
        self.authority.post(url + "/experts", data={"expert_id": [e.id for e in experts]})
        for expert, total in zip(experts, scores_by_expert, strict=True):
            client = self.client(expert)
            client.post(url + "/declaration", data={"conflict": "no"})
            client.post(url + "/scores", data=split_score(total) | {"comments": "方案可行"})
        assert self.act(self.authority, url, "close_review").status_code == 302

    def to_decision(self, url, scores=(80, 82, 85)):
        self.to_expert_review(url)
        self.review_by(url, list(scores))
        assert self.act(self.authority, url, "verify_site", "现场核查：设施运行正常").status_code == 302


def split_score(total):
    """Points per criterion of the demo rubric (30, 30, 20, 20) adding up to `total`."""
    weights, left, points = (30, 30, 20, 20), Decimal(str(total)), {}
    for n, weight in enumerate(weights, start=1):
        give = min(Decimal(weight), left)
        points[f"score__c{n}"] = str(give)
        left -= give
    return points


@pytest.fixture
def funding(app, make):
    return FundingWorld(app, make)
