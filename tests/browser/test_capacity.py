"""Capacity building in the browser: a supplier registers its people for a training and asks for an expert visit;
the technical agency schedules the visit with one of its experts. axe-core checks each page; the training page fits
a phone."""

import re
from datetime import date, datetime, timedelta

from playwright.sync_api import expect

from tests.browser.test_assessment_verification import phone_overflow
from tests.browser.test_smoke import sign_in


def test_a_supplier_registers_and_requests_a_visit_that_the_agency_schedules(page, live_server, demo, axe, shot):
    sign_in(page, live_server, "supplier@demo.local", demo)
    page.goto(f"{live_server}/trainings")
    assert axe(page) == []
    page.get_by_role("link", name="VOCs治理设施运行维护实务（演示）").click()
    page.get_by_label(re.compile("参训人：每行一个姓名")).fill("张三\n李四")
    page.get_by_role("button", name="为本公司报名").click()
    expect(page.get_by_text("2 名参训人")).to_be_visible()
    assert axe(page) == []
    assert phone_overflow(page, shot, "capacity-training-phone") <= 1

    page.goto(f"{live_server}/guidance-requests/new")
    page.get_by_label("厂区", exact=True).select_option(index=1)
    page.get_by_label("主题", exact=True).select_option("vocs")
    page.get_by_label(re.compile("问题描述")).fill("喷涂线末端异味明显")
    page.get_by_label("日期 1").fill((date.today() + timedelta(days=6)).isoformat())
    assert axe(page) == []
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".badge", has_text="已申请")).to_be_visible()
    request_url = page.url
    shot(page, "capacity-request-supplier")

    page.context.clear_cookies()
    sign_in(page, live_server, "reviewer@demo.local", demo)
    page.goto(request_url)
    assert axe(page) == []
    visit = (datetime.now() + timedelta(days=4)).strftime("%Y-%m-%dT10:00")
    page.get_by_label("走访日期和时间（深圳时间）").fill(visit)
    page.get_by_label("吴专家").check()
    page.get_by_role("button", name="安排走访").click()
    expect(page.locator(".badge", has_text="已安排走访")).to_be_visible()
    expect(page.get_by_text("吴专家").first).to_be_visible()
    assert axe(page) == []
    shot(page, "capacity-request-scheduled")
