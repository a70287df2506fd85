"""Upgrade plans from baseline to verification, as the supplier and the technical agency use them."""

import io
from decimal import Decimal

import pytest

from portal.assessment.services import questionnaire
from portal.demo_reports import q
from portal.extensions import db
from portal.plans.models import PlanFile, UpgradePlan
from portal.reports.models import AnnualReport, ReportVersion
from portal.sites.models import Site
from tests.conftest import login


def accepted(org, site, year, electricity_kwh, cod_t):
    data = {"energy": {"electricity": q(electricity_kwh, "kWh")},
            "wastewater": {"volume": q(50_000, "m3"), "pollutants": [
                {"pollutant": {"v": "COD"}, "load": q(cod_t, "t")},
                {"pollutant": {"v": "COD"}, "load": q("500", "kg")}]}}
    report = AnnualReport(organisation_id=org.id, site=site, year=year, status="accepted", data=data)
    report.versions.append(ReportVersion(number=1, data=data, decision="accepted"))
    db.session.add(report)
    db.session.commit()
    return report


class World:
    def __init__(self, app, make):
        self.org = make.org("supplier")
        self.site = Site(organisation_id=self.org.id, name="龙华二厂")
        db.session.add(self.site)
        db.session.commit()
        self.supplier, self.agency = app.test_client(), app.test_client()
        login(self.supplier, make.user(self.org))
        login(self.agency, make.user(make.org("agency")))

    def start(self, **extra):
        response = self.supplier.post("/plans/new", data={"site_id": self.site.id, "title": "节能改造", **extra})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return response.headers["Location"], db.session.scalars(db.select(UpgradePlan)).one()

    def act(self, client, url, action, comment=""):
        plan = db.session.scalars(db.select(UpgradePlan)).one()
        db.session.refresh(plan)
        return client.post(url + "/act", data={"action": action, "comment": comment, "version": plan.version_id})


@pytest.fixture
def world(app, make):
    return World(app, make)


def test_the_baseline_comes_from_the_sites_latest_accepted_report(world):
    accepted(world.org, world.site, 2023, 900_000, "1")
    accepted(world.org, world.site, 2024, 1_000_000, "2.5")
    _url, plan = world.start()
    assert plan.baseline_year == 2024
    assert plan.baseline["electricity"] == {"value": "1000", "source": "report"}
    # 2.5 t plus 500 kg on two COD lines
    assert Decimal(plan.baseline["COD"]["value"]) == Decimal("3")
    # 1000 MWh x 0.5306 tCO2/MWh (the 2023 national grid factor, the latest not after 2024)
    assert Decimal(plan.baseline["ghg"]["value"]) == Decimal("530.600")


def test_a_plan_goes_from_draft_to_verified_with_every_step_on_its_timeline(world, outbox):
    accepted(world.org, world.site, 2024, 1_000_000, "2.5")
    url, plan = world.start()
    # Submitting an empty plan says what is missing.
    world.act(world.supplier, url, "submit")
    db.session.refresh(plan)
    assert plan.status == "draft"
    world.supplier.post(url + "/measures", data={"kind": "energy_efficiency", "description": "空压机变频改造",
                                                 "equipment": "800,000", "construction": "150000", "other": "",
                                                 "reduction__electricity": "200"})
    world.supplier.post(url + "/milestones", data={"title": "设备安装", "due_date": "2026-06-30",
                                                   "responsible": "王工"})
    page = world.supplier.get(url).get_data(as_text=True)
    # 200 MWh x 0.5306 = 106.12 tCO2 avoided, with its factor shown
    assert "106.12" in page and "0.5306" in page
    assert world.act(world.supplier, url, "submit").status_code == 302
    assert "/plans?status=submitted" in world.agency.get("/dashboard").get_data(as_text=True)  # what's next
    assert world.act(world.agency, url, "comment").status_code == 409  # a return needs its comments
    world.act(world.agency, url, "comment", "请补充设备报价单。")
    db.session.refresh(plan)
    assert plan.status == "commented"
    assert "请补充设备报价单。" in world.supplier.get(url).get_data(as_text=True)
    assert f'href="{url}"' in world.supplier.get("/dashboard").get_data(as_text=True)  # what's next
    world.supplier.post(url + "/files", data={"purpose": "quote", "file": (io.BytesIO(b"%PDF-1.4 quote"), "报价.pdf")},
                        content_type="multipart/form-data")
    world.act(world.supplier, url, "submit")
    world.act(world.agency, url, "approve")
    world.act(world.supplier, url, "start")
    assert world.act(world.supplier, url, "complete").status_code == 409  # the milestone is not done yet
    milestone = plan.milestones[0]
    # A file that is not evidence: nothing recorded, and the date and note typed are still in the form.
    refused = world.supplier.post(f"{url}/milestones/{milestone.id}", data={
        "done_on": "2025-06-01", "note": "已安装调试", "file": (io.BytesIO(b"MZ not a pdf"), "照片.heic")},
        content_type="multipart/form-data")
    assert refused.status_code == 422 and 'value="已安装调试"' in refused.get_data(as_text=True)
    db.session.refresh(milestone)
    assert milestone.done_on is None
    world.supplier.post(f"{url}/milestones/{milestone.id}", data={"done_on": "2025-06-01", "note": "已安装调试",
                                                                 "file": (io.BytesIO(b"%PDF-1.4 photo"), "验收.pdf")},
                        content_type="multipart/form-data")
    world.act(world.supplier, url, "complete")
    # Verification needs accepted data after the baseline year.
    assert world.act(world.agency, url, "verify").status_code == 409
    accepted(world.org, world.site, 2025, 820_000, "2")
    world.act(world.agency, url, "verify")
    db.session.refresh(plan)
    assert plan.status == "verified"
    assert plan.verification["year"] == 2025
    assert Decimal(plan.verification["indicators"]["electricity"]["change"]) == Decimal("-180")
    assert [e.action for e in plan.events] == ["create", "submit", "comment", "submit", "approve", "start",
                                               "complete", "verify"]
    assert {f.purpose for f in db.session.scalars(db.select(PlanFile))} == {"quote", "milestone"}


def test_a_wrong_amount_is_shown_beside_its_field_and_keeps_what_was_typed(world):
    url, _plan = world.start()
    response = world.supplier.post(url + "/measures", data={"kind": "rooftop_solar", "description": "屋顶光伏 500 kWp",
                                                            "equipment": "12万"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="equipment-error"' in html and 'value="12万"' in html and "屋顶光伏 500 kWp" in html


def test_a_stale_form_gets_a_conflict_and_keeps_the_typed_title(world):
    url, plan = world.start()
    assert world.supplier.post(url, data={"title": "第一版", "version": plan.version_id}).status_code == 302
    stale = world.supplier.post(url, data={"title": "我的改动", "version": plan.version_id})
    assert stale.status_code == 409 and 'value="我的改动"' in stale.get_data(as_text=True)


def test_a_plan_starts_from_chosen_assessment_gaps(world, make, benchmark):
    created = world.supplier.post("/assessments", data={"benchmark_id": benchmark.id, "year": 2026})
    assessment_id = int(created.headers["Location"].rsplit("/", 1)[1])
    form = world.supplier.get(f"/plans/new?assessment={assessment_id}&gap=Q3.1&gap=Q4.2").get_data(as_text=True)
    q31 = next(q for q in questionnaire(benchmark).questions() if q.id == "Q3.1")
    assert f"<strong>Q3.1</strong> {q31.text_zh}" in form  # each gap with its question, not the code alone
    _url, plan = world.start(assessment=assessment_id, gap=["Q3.1", "Q4.2"])
    assert plan.assessment_id == assessment_id and plan.gaps == ["Q3.1", "Q4.2"]


def test_others_never_see_a_draft_and_another_supplier_never_sees_any(world, app, make):
    url, _plan = world.start()
    assert world.agency.get(url).status_code == 404
    other = app.test_client()
    login(other, make.user(make.org("supplier")))
    assert other.get(url).status_code == 404
