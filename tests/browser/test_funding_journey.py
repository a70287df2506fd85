"""A funding application from an approved upgrade plan to its closing, across the people who take part: the supplier
applies with its materials; the authority checks it and forms a panel of three experts, who declare their interests
and score; the authority (who did not score) verifies the site, approves and publishes the notice, which anyone can
read; after the notice the authority records the agreement and pays; the supplier reports for acceptance; the
authority closes it and the supplier downloads the acceptance certificate."""

import subprocess
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import expect

from portal.extensions import db
from portal.funding.demo import DEMO_PROGRAMME
from portal.funding.models import FundingApplication, FundingProgramme
from tests.browser.test_assessment_verification import phone_overflow
from tests.browser.test_smoke import sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SUPPLIER = "深圳市绿源电路板有限公司"


def upload(page, form, field, name):
    form.locator(f"input[type=file][name='{field}']").set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": PDF})


def take(page, action, **fields):
    """Fills and sends the form that takes `action` on the application page."""
    form = page.locator(f"form[data-transition='{action}']")
    for name, value in fields.items():
        form.locator(f"[name='{name}']").fill(value)
    form.locator("button[type=submit]").click()


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_an_application_from_plan_to_closed(browser, live_server, demo, axe, shot):
    # 1. The supplier applies with its completed plan, uploads the materials and submits.
    supplier = browser.new_context().new_page()
    sign_in(supplier, live_server, "supplier@demo.local", demo)
    programme = db.session.scalars(db.select(FundingProgramme).where(FundingProgramme.name == DEMO_PROGRAMME)).one()
    supplier.goto(f"{live_server}/funding/programmes/{programme.id}")
    supplier.get_by_role("button", name="以此计划开始申请").click()
    expect(supplier.locator(".flash")).to_contain_text("申请已创建")
    url = supplier.url.split("#")[0]
    materials = supplier.locator("#materials form")
    for value in materials.locator("select[name=material] option").evaluate_all("os => os.map(o => o.value)"):
        if value == "other":
            continue
        materials = supplier.locator("#materials form")
        materials.locator("select[name=material]").select_option(value)
        upload(supplier, materials, "file", f"材料-{value}.pdf")
        materials.get_by_role("button", name="上传").click()
        expect(supplier.locator(".flash")).to_contain_text("文件已上传")
    take(supplier, "submit")
    expect(supplier.locator("hgroup")).to_contain_text("已提交")

    # 2. The authority passes the formal check and assigns three experts.
    authority = browser.new_context().new_page()
    sign_in(authority, live_server, "authority@demo.local", demo)
    authority.goto(url)
    take(authority, "pass_check")
    expect(authority.locator("hgroup")).to_contain_text("专家评审")
    assign = authority.locator("#review details")
    for label in assign.locator("fieldset label").all():
        label.click()  # the expert's name with the organisation's beneath it
    assign.locator("button[type=submit]").click()

    # 3. Each expert declares no conflict of interest and scores.
    for email, points in (("reviewer@demo.local", (25, 24, 16, 15)), ("expert1@demo.local", (27, 26, 17, 16)),
                          ("expert2@demo.local", (22, 25, 15, 18))):
        expert = browser.new_context().new_page()
        sign_in(expert, live_server, email, demo)
        expert.goto(url)
        expert.locator("#review form").filter(has=expert.locator("#conflict-no")).locator("button").click()
        for n, value in enumerate(points, start=1):
            expert.locator(f"#score__c{n}").fill(str(value))
        expert.locator("#comments").fill("技术路线成熟，减排效果可核实。")
        expert.locator("#review form button[type=submit]").last.click()
        expect(expert.locator(".flash")).to_contain_text("评分已保存")
        expert.context.close()

    # 4. The authority closes the review, records the site visit, approves and starts the notice.
    authority.goto(url)
    take(authority, "close_review")
    take(authority, "verify_site", comment="现场核查：新设施运行正常，与申报材料一致。")
    expect(authority.locator("hgroup")).to_contain_text("待决定")
    take(authority, "approve", amount="1,400,000", comment="专家评审通过，同意资助。")
    expect(authority.locator("#decision-heading")).to_be_visible()
    take(authority, "start_notice")
    expect(authority.locator("hgroup")).to_contain_text("公示")
    application_id = int(url.rsplit("/", 1)[1])

    # 5. Anyone reads the notice, without signing in.
    public = browser.new_context().new_page()
    public.goto(f"{live_server}/public/notices/{application_id}")
    expect(public.locator("body")).to_contain_text(SUPPLIER)
    expect(public.locator("body")).to_contain_text("1,400,000")
    shot(public, "funding-journey-1-public-notice")
    public.context.close()

    # 6. The notice period is over (the clock moves: its last day was yesterday); the authority ends it, records
    #    the signed agreement and the first payment.
    db.session.execute(db.update(FundingApplication).where(FundingApplication.id == application_id).values(
        notice_ends_on=date.today() - timedelta(days=1)))
    db.session.commit()
    authority.goto(url)
    take(authority, "end_notice", comment="公示期内未收到异议。")
    expect(authority.locator("hgroup")).to_contain_text("协议")
    agreement = authority.locator("#closing form")
    agreement.locator("#agreement_number").fill("深环资协〔2026〕17号")
    agreement.locator("#signed_on").fill(date.today().isoformat())
    upload(authority, agreement, "agreement_file", "资助协议-盖章.pdf")
    agreement.get_by_role("button", name="保存协议").click()
    expect(authority.locator(".flash")).to_contain_text("资助协议已登记")
    take(authority, "disburse", amount="1,000,000", paid_on=date.today().isoformat(), batch="PZ-2026-0031")
    expect(authority.locator("hgroup")).to_contain_text("已拨付")
    assert axe(authority) == []
    shot(authority, "funding-journey-2-paid-authority")

    # 7. The supplier attaches evidence and sends the acceptance report.
    supplier.goto(url)
    evidence = supplier.locator("#acceptance form").first
    upload(supplier, evidence, "file", "验收监测报告.pdf")
    evidence.get_by_role("button", name="上传").click()
    expect(supplier.locator("#acceptance")).to_contain_text("验收监测报告.pdf")
    shot(supplier, "funding-journey-3a-acceptance-form-supplier")
    take(supplier, "start_acceptance", reduction__COD="1.8", reduction__NH3N="0.2",
         acceptance_summary="新处理线稳定运行满一年，在线监测显示出水镍浓度持续达标。")
    expect(supplier.locator("hgroup")).to_contain_text("验收")
    assert axe(supplier) == []
    shot(supplier, "funding-journey-3-acceptance-supplier")
    overflow = phone_overflow(supplier, shot, "funding-journey-3-acceptance-supplier-phone")
    assert overflow <= 1, f"the application page scrolls {overflow}px sideways on a phone"

    # 8. The authority closes with the verdict.
    authority.goto(url)
    close = authority.locator("form[data-transition='close']")
    close.locator("label[for='verdict-passed']").click()
    expect(close.locator('#verdict-passed')).to_be_checked()
    close.locator("textarea").fill("验收通过：设施运行正常，减排量经监测数据核实。")
    close.locator("button[type=submit]").click()
    expect(authority.locator("hgroup")).to_contain_text("已结项")
    expect(authority.locator("#timeline")).to_contain_text("验收通过：设施运行正常")
    shot(authority, "funding-journey-4-closed-authority")

    # 9. The supplier downloads the decision letter and the acceptance certificate.
    supplier.goto(url)
    with supplier.expect_download() as letter:
        supplier.get_by_role("link", name="下载决定书（PDF）").click()
    with supplier.expect_download() as certificate:
        supplier.get_by_role("link", name="下载验收证书（PDF）").click()
    shot(supplier, "funding-journey-5-closed-supplier")
    folder = shot.folder
    letter.value.save_as(folder / "funding-decision-letter.pdf")
    certificate.value.save_as(folder / "funding-acceptance-certificate.pdf")
    letter_text = pdf_text(folder / "funding-decision-letter.pdf")
    assert SUPPLIER in letter_text and "1,400,000" in letter_text and "专家评审通过，同意资助。" in letter_text
    certificate_text = pdf_text(folder / "funding-acceptance-certificate.pdf")
    assert "深环资协〔2026〕17号" in certificate_text and "1,000,000" in certificate_text
    assert "验收通过" in certificate_text and "1.8" in certificate_text
