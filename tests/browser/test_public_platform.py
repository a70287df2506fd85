"""The public information platform without an account: find a supplier, read its profile and the funding notice,
object (a missing name is refused beside the field), then the authority records the resolution and the notice
page publishes it. axe-core checks each public page, on a desktop and on a phone-sized screen."""

from playwright.sync_api import expect

from tests.browser.test_smoke import sign_in

SUPPLIER = "深圳市华精五金制品有限公司"


def test_the_public_finds_a_supplier_objects_to_its_notice_and_reads_the_resolution(page, live_server, demo, axe,
                                                                                     shot):
    page.goto(live_server)
    page.get_by_role("link", name="信息公开平台").click()
    assert axe(page) == []
    page.get_by_label("企业名称或统一社会信用代码").fill("华精")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name=SUPPLIER, exact=True).click()
    expect(page.get_by_role("heading", name="获得的资金支持")).to_be_visible()
    assert axe(page) == []
    shot(page, "public-supplier")

    page.get_by_role("link", name="项目公示", exact=True).click()
    page.locator("a.mono").first.click()
    expect(page.get_by_role("heading", name="对本公示提出异议")).to_be_visible()
    assert axe(page) == []
    page.get_by_label("电话、电子邮箱或通信地址").fill("13800000000")
    page.get_by_label("异议内容及理由").fill("浏览器测试异议：请核实投资凭证。")
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator("#name-error")).to_contain_text("匿名异议不予受理")
    expect(page.get_by_label("异议内容及理由")).to_have_value("浏览器测试异议：请核实投资凭证。")
    page.get_by_label("您的真实姓名").fill("王五")
    page.get_by_role("button", name="提交异议").click()
    expect(page.get_by_text("您的异议已收到")).to_be_visible()
    notice_url = page.url.split("#")[0]
    shot(page, "public-notice-objected")

    authority = page.context.browser.new_page()
    sign_in(authority, live_server, "authority@demo.local", demo)
    authority.goto(notice_url.replace("/public/notices/", "/funding/applications/"))
    section = authority.locator("#objections article").filter(has_text="浏览器测试异议")
    section.get_by_label("异议不成立").check()
    section.get_by_label("处理结果（将在公示页面公开").fill("经核实，投资凭证齐全，异议不成立。")
    section.get_by_role("button", name="记录处理结果").click()
    expect(authority.get_by_text("处理结果已记录")).to_be_visible()
    authority.close()

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(notice_url)
    expect(page.get_by_text("经核实，投资凭证齐全，异议不成立。")).to_be_visible()
    expect(page.get_by_text("浏览器测试异议")).to_have_count(0)  # the objection itself is never public
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "public-notice-phone")
