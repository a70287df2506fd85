"""The annual report journey across supplier and technical agency, as people click through it."""

import io
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.test_smoke import sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_fill_fix_attach_submit_return_resubmit_accept(browser, live_server, demo, axe, shot, tmp_path):
    supplier = browser.new_context().new_page()
    sign_in(supplier, live_server, "supplier@demo.local", demo)
    supplier.get_by_role("link", name="厂区管理").click()
    supplier.get_by_role("button", name="新增厂区").click()
    supplier.get_by_label("厂区名称").fill("坪山二厂")
    supplier.get_by_label("排污许可管理类别").select_option("registration")
    supplier.get_by_role("button", name="保存厂区").click()

    supplier.get_by_role("link", name="年度报告").first.click()
    supplier.get_by_label("厂区", exact=True).select_option(label="坪山二厂")
    supplier.get_by_label("报告年度").fill("2025")
    supplier.get_by_role("button", name="创建报告").click()
    expect(supplier.locator("h1")).to_contain_text("2025")

    supplier.get_by_role("link", name="生产情况", exact=True).click()
    supplier.locator("#output_value").fill("1200")
    supplier.locator("#staff").fill("八十")  # a mistake: words in a number field
    supplier.locator("#operating_days").fill("300")
    supplier.get_by_role("button", name="保存", exact=True).click()
    expect(supplier.locator("#staff-issues")).to_be_visible()
    expect(supplier.locator("#staff")).to_have_value("八十")  # nothing typed is lost
    assert axe(supplier) == []
    shot(supplier, "report-section-error")
    supplier.locator("#staff").fill("80")
    supplier.get_by_role("button", name="保存并继续").click()

    supplier.locator("#electricity").fill("1,234,500")
    supplier.get_by_role("button", name="保存", exact=True).click()
    bill = tmp_path / "电费单.pdf"
    bill.write_bytes(PDF)
    supplier.locator("#evidence-file").set_input_files(str(bill))
    supplier.locator("#evidence").get_by_role("button", name="上传", exact=True).click()
    expect(supplier.locator("#evidence")).to_contain_text("电费单.pdf")
    shot(supplier, "report-energy-evidence")

    supplier.get_by_role("link", name="返回报告概览").click()
    expect(supplier.locator("#ghg-heading")).to_be_visible()
    assert axe(supplier) == []
    shot(supplier, "report-overview")
    supplier.get_by_role("button", name="提交审查").click()
    expect(supplier.locator(".flash")).to_be_visible()

    reviewer = browser.new_context().new_page()
    sign_in(reviewer, live_server, "reviewer@demo.local", demo)
    reviewer.get_by_role("link", name="审核", exact=True).click()
    reviewer.get_by_role("link", name="坪山二厂").click()
    assert axe(reviewer) == []
    reviewer.locator("textarea[name='comment__energy.electricity']").fill("与电费单合计不一致，请核对。")
    reviewer.get_by_role("button", name="附意见退回").click()
    shot(reviewer, "review-returned")

    supplier.reload()
    expect(supplier.locator("#returned-heading")).to_be_visible()
    supplier.get_by_role("link", name="能源", exact=True).first.click()
    expect(supplier.locator(".review-comment")).to_contain_text("与电费单合计不一致")
    supplier.locator("#electricity").fill("1,204,500")
    supplier.get_by_role("button", name="保存", exact=True).click()
    supplier.get_by_role("link", name="返回报告概览").click()
    supplier.get_by_role("button", name="提交审查").click()

    reviewer.goto(f"{live_server}/review/reports")
    reviewer.get_by_role("link", name="坪山二厂").click()
    expect(reviewer.locator("main details").first).to_contain_text("1,204,500")
    reviewer.get_by_role("button", name="通过", exact=True).click()
    supplier.reload()
    expect(supplier.locator(".badge.status-accepted").first).to_be_visible()
    shot(supplier, "report-accepted")

    with supplier.expect_download() as download:
        supplier.get_by_role("link", name="下载已通过的报告（Excel）").click()
    exported = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    energy = exported["energy"]
    assert any(row[2].value == 1204500 for row in energy.iter_rows() if row[0].value == "electricity")
