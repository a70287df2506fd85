"""A plan started before this year's report was accepted takes its baseline again from that report (issue #7)."""

from decimal import Decimal

import pytest

from portal.audit.models import AuditEvent
from portal.extensions import db
from tests.conftest import login
from tests.portal.plans.test_upgrade_plans import World, accepted


@pytest.fixture
def world(app, make):
    return World(app, make)


def current(plan):
    db.session.refresh(plan)
    return plan


def take(client, url, version):
    return client.post(url + "/baseline", data={"version": version})


def baseline_events():
    return db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "plan.baseline_taken")).all()


def test_the_button_appears_only_when_a_newer_accepted_report_exists(world):
    url, plan = world.start()  # no accepted report yet: nothing to take
    form = f'action="{url}/baseline"'
    assert form not in world.supplier.get(url).get_data(as_text=True)
    accepted(world.org, world.site, 2024, 1_000_000, "2.5")  # the plan has no report baseline
    assert form in world.supplier.get(url).get_data(as_text=True)
    assert take(world.supplier, url, current(plan).version_id).status_code == 302
    assert form not in world.supplier.get(url).get_data(as_text=True)  # the plan's baseline is that report
    accepted(world.org, world.site, 2025, 820_000, "2")
    page = world.supplier.get(url).get_data(as_text=True)
    assert form in page and "2025" in page


def test_taking_the_baseline_uses_the_reports_figures_and_keeps_the_entered_ones(world):
    accepted(world.org, world.site, 2024, 1_000_000, "2.5")
    url, plan = world.start()
    # The supplier types a VOCs figure (the reports state none) and overrides the COD figure.
    saved = world.supplier.post(url, data={
        "title": "节能改造", "baseline_year": "2024", "version": plan.version_id,
        **{f"baseline__{key}": entry["value"] for key, entry in plan.baseline.items()},
        "baseline__COD": "4", "baseline__VOCs": "12.5"})
    assert saved.status_code == 302
    assert current(plan).baseline["VOCs"] == {"value": "12.5", "source": "entered"}
    report = accepted(world.org, world.site, 2025, 820_000, "2")

    response = take(world.supplier, url, current(plan).version_id)
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    plan = current(plan)
    assert plan.baseline_year == 2025 and plan.baseline_report_id == report.id
    assert plan.baseline["electricity"] == {"value": "820", "source": "report"}  # 820,000 kWh
    assert plan.baseline["wastewater"] == {"value": "50000", "source": "report"}
    # 2 t plus 500 kg on two COD lines: the report's figure replaces the 4 t typed
    assert plan.baseline["COD"]["source"] == "report" and Decimal(plan.baseline["COD"]["value"]) == Decimal("2.5")
    # 820 MWh x 0.5306 tCO2/MWh (the 2023 national grid factor, the latest not after 2025)
    assert plan.baseline["ghg"]["source"] == "report" and Decimal(plan.baseline["ghg"]["value"]) == Decimal("435.092")
    assert plan.baseline["VOCs"] == {"value": "12.5", "source": "entered"}  # the report does not state it
    assert set(plan.baseline) == {"wastewater", "COD", "electricity", "ghg", "VOCs"}
    (event,) = baseline_events()
    assert event.object_id == str(plan.id) and event.summary["baseline_year"] == 2024
    assert event.summary["to_year"] == 2025 and event.summary["kept"] == ["VOCs"]
    # The flash names the figure kept; the timeline holds workflow steps, and editing the baseline is not one.
    page = world.supplier.get(url).get_data(as_text=True)
    assert "基准值已采用 2025 年已通过的年度报告。" in page
    assert "报告未填报VOCs 排放量，您自行填写的这些数据已保留。" in page
    assert [e.action for e in plan.events] == ["create"]


def test_a_stale_page_gets_the_conflict_message_and_changes_nothing(world):
    accepted(world.org, world.site, 2024, 1_000_000, "2.5")
    url, plan = world.start()
    shown = plan.version_id
    accepted(world.org, world.site, 2025, 820_000, "2")
    # Someone saves the plan after the page was shown.
    saved = world.supplier.post(url, data={"title": "新标题", "baseline__VOCs": "3", "version": shown})
    assert saved.status_code == 302
    before = current(plan).version_id, dict(plan.baseline), plan.baseline_year
    stale = take(world.supplier, url, shown)
    assert stale.status_code == 409
    assert "在您编辑期间，其他人保存了这份计划" in stale.get_data(as_text=True)  # the plans' conflict message
    plan = current(plan)
    assert (plan.version_id, plan.baseline, plan.baseline_year) == before
    assert baseline_events() == []


def test_another_organisations_plan_answers_404(world, app, make):
    url, plan = world.start()
    accepted(world.org, world.site, 2025, 820_000, "2")
    other = app.test_client()
    login(other, make.user(make.org("supplier")))
    assert take(other, url, plan.version_id).status_code == 404
    assert current(plan).baseline_year is None and baseline_events() == []


@pytest.mark.parametrize("status", ["submitted", "approved", "in_progress"])
def test_a_plan_that_is_no_longer_editable_refuses_it(world, status):
    accepted(world.org, world.site, 2024, 1_000_000, "2.5")
    url, plan = world.start()
    plan.status = status
    db.session.commit()
    accepted(world.org, world.site, 2025, 820_000, "2")
    assert f'action="{url}/baseline"' not in world.supplier.get(url).get_data(as_text=True)
    version = current(plan).version_id
    for client in (world.supplier, world.agency):  # the agency reads the plan but never edits it
        assert take(client, url, version).status_code == 409
    plan = current(plan)
    assert plan.baseline_year == 2024 and plan.version_id == version and baseline_events() == []
