"""A person's first minutes: sign in as each demo role, switch language, see the dashboard; a wrong
password; a phone-sized screen. axe-core checks each page visited."""

import pytest
from playwright.sync_api import expect

DEMO_ROLES = ["admin", "supplier", "staff", "supplier2", "tier2", "buyer", "reviewer", "authority"]


def sign_in(page, base, email, password):
    page.goto(f"{base}/login")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


@pytest.mark.parametrize("who", DEMO_ROLES)
def test_demo_role_signs_in_switches_language_and_sees_dashboard(page, live_server, demo, axe, shot, who):
    sign_in(page, live_server, f"{who}@demo.local", demo)
    expect(page).to_have_url(f"{live_server}/dashboard")
    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()
    assert axe(page) == []
    shot(page, f"dashboard-{who}-zh")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="What's next")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shot(page, f"dashboard-{who}-en")
    # The choice is remembered for the account, not only for this browser session.
    page.context.clear_cookies()
    sign_in(page, live_server, f"{who}@demo.local", demo)
    expect(page.get_by_role("heading", name="What's next")).to_be_visible()


def test_wrong_password_shows_the_error_and_keeps_the_email(page, live_server, demo, axe, shot):
    page.goto(f"{live_server}/login")
    assert axe(page) == []
    page.get_by_label("电子邮箱").fill("supplier@demo.local")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#password-error")).to_be_visible()
    expect(page.get_by_label("电子邮箱")).to_have_value("supplier@demo.local")
    expect(page.get_by_label("密码")).to_have_attribute("aria-invalid", "true")
    assert axe(page) == []
    shot(page, "login-wrong-password")


def test_dashboard_fits_a_phone_screen(browser, live_server, demo, axe, shot):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server, "supplier@demo.local", demo)
    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    assert axe(page) == []
    shot(page, "dashboard-supplier-phone")
    context.close()


def test_registration_form_and_error_pages_pass_axe(page, live_server, demo, axe):
    for path in ("/", "/register", "/password/forgot", "/no-such-page"):
        page.goto(f"{live_server}{path}")
        assert axe(page) == [], path
