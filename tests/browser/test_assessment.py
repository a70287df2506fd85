"""A supplier fills the self-assessment and reads the scorecard and gap report."""

from playwright.sync_api import expect

from portal.assessment.services import seed_programme_benchmark
from portal.extensions import db
from tests.browser.test_smoke import sign_in


def test_supplier_answers_and_reads_the_scorecard_and_gaps(page, live_server, demo, axe, shot):
    seed_programme_benchmark()
    db.session.commit()
    sign_in(page, live_server, "supplier@demo.local", demo)
    page.get_by_role("link", name="自评", exact=True).click()
    assert axe(page) == []
    page.get_by_role("button", name="开始填报").click()
    expect(page.locator("h1")).to_be_visible()
    # Accepted annual data already answered some questions, and says so.
    expect(page.locator(".badge-ok").first).to_contain_text("已根据已通过的年度数据预填")
    page.locator("select[name='q__Q1.2']").select_option(index=1)
    assert axe(page) == []
    shot(page, "assessment-fill")
    page.get_by_role("button", name="保存并查看评分卡").click()
    expect(page.locator("#gaps-heading")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("/ 100")
    assert page.locator("#gaps-heading ~ ol li a[href*='/guidelines/']").count() > 0
    assert axe(page) == []
    shot(page, "assessment-scorecard")
