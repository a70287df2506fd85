"""A supplier answers the self-assessment in full with evidence, submits it and shares it with its buyer; the
technical agency verifies it, adjusting one answer with a comment; the supplier then reads self and verified
scores side by side and the buyer finds the assessment among those it received."""

import re
from pathlib import Path

from playwright.sync_api import expect

from portal.assessment.models import Benchmark
from portal.assessment.services import questionnaire, seed_programme_benchmark
from portal.extensions import db
from tests.browser.test_smoke import sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EVIDENCE_NAME = "ISO14001证书.pdf"
SUPPLIER = "深圳市绿源电路板有限公司"
BUYER = "鹏城通信技术有限公司"
COMMENT = "证书已于 2024 年过期，附页未覆盖本厂区。"
PHONE = {"width": 375, "height": 740}


def full_score_answers() -> tuple[dict[str, str], set[str]]:
    """The answer that earns each question's full points by form field name, and which fields are numbers."""
    benchmark = db.session.query(Benchmark).filter_by(key="programme-default").one()
    answers, numbers = {}, set()
    for question in questionnaire(benchmark).questions():
        if question.type == "yes_partly_no":
            answers[f"q__{question.id}"] = "yes"
        elif question.type == "choice":
            answers[f"q__{question.id}"] = max(question.options, key=lambda o: o.points).value
        else:
            best = question.thresholds[0]
            answers[f"q__{question.id}"] = f"{best.min if question.higher_is_better else best.max:g}"
            numbers.add(f"q__{question.id}")
    return answers, numbers


def score_cells(page) -> tuple[float, float]:
    """(self score, verified score) from the comparison table under #verified-heading."""
    rows = page.locator("section.score-compare tbody tr")
    return (float(rows.nth(0).locator("td").first.inner_text().replace(",", "")),
            float(rows.nth(1).locator("td").first.inner_text().replace(",", "")))


def phone_overflow(page, shot=None, name="") -> int:
    """How far the page scrolls sideways at phone width (screenshot taken there if asked); the viewport is put back."""
    desktop = page.viewport_size
    page.set_viewport_size(PHONE)
    try:
        if shot:
            shot(page, name)
        return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    finally:
        page.set_viewport_size(desktop)


def test_supplier_shares_a_full_assessment_and_reads_the_agencys_adjustment(browser, live_server, demo, axe, shot):
    seed_programme_benchmark()
    db.session.commit()
    answers, numbers = full_score_answers()

    # 1. The supplier answers every question, attaches evidence to Q1.1, saves and submits.
    supplier = browser.new_context().new_page()
    sign_in(supplier, live_server, "supplier@demo.local", demo)
    supplier.get_by_role("link", name="自评", exact=True).click()
    supplier.get_by_role("button", name="开始填报").click()
    expect(supplier.locator("input[type=file][name='evidence__Q1.1']")).to_be_attached()
    form_fields = supplier.locator("form[enctype] select[name^='q__'], form[enctype] input[name^='q__']")
    assert sorted(form_fields.evaluate_all("els => els.map(e => e.name)")) == sorted(answers)
    for name, value in answers.items():
        if name in numbers:
            supplier.locator(f"input[name='{name}']").fill(value)
        else:
            supplier.locator(f"select[name='{name}']").select_option(value)
    supplier.locator("input[name='evidence__Q1.1']").set_input_files(
        {"name": EVIDENCE_NAME, "mimeType": "application/pdf", "buffer": PDF})
    supplier.get_by_role("button", name="保存", exact=True).click()
    expect(supplier.locator(".flash")).to_contain_text("已保存")
    q11 = supplier.locator("[id='Q1.1']")
    expect(q11.get_by_role("list", name=re.compile("Q1.1"))).to_contain_text(EVIDENCE_NAME)
    expect(q11.get_by_role("list", name=re.compile("Q1.1"))).to_contain_text(re.compile(r"(^|\s)1 KB"))
    # Units read in Chinese too: the benchmark's unit code "percent" is shown as %.
    expect(supplier.locator("[id='Q4.5'] .unit")).to_have_text("%")
    # What was saved is what was chosen: the reloaded form shows every answer.
    shown = dict(form_fields.evaluate_all("els => els.map(e => [e.name, e.value])"))
    assert shown == answers
    expect(supplier.locator("hgroup p")).to_contain_text("100")
    assert axe(supplier) == []
    shot(supplier, "verification-1-fill-saved")
    overflow = phone_overflow(supplier)
    assert overflow <= 1, f"the fill page scrolls {overflow}px sideways on a phone"

    supplier.get_by_role("button", name="提交自评").click()
    expect(supplier.locator(".flash")).to_contain_text("自评已提交")
    expect(supplier.locator("h1")).to_contain_text("100 / 100")
    scorecard_url = supplier.url

    # 2. The supplier is in the demo buyer's supply chain and consented to share new assessments with it (the
    #    default on joining, portal/chains): the scorecard shows it shared already; saving keeps it.
    sharing = supplier.locator("#sharing")
    expect(sharing.get_by_label(BUYER)).to_be_checked()
    sharing.get_by_role("button", name="保存共享设置").click()
    expect(supplier.locator("#sharing").get_by_label(BUYER)).to_be_checked()
    expect(supplier.locator("#points-heading ~ .table-wrap tbody tr", has_text="Q6.4")).to_contain_text("90 %")
    assert axe(supplier) == []
    shot(supplier, "verification-2-scorecard-shared")

    # 3. The agency opens what it received and verifies; an adjustment without a comment is refused.
    reviewer = browser.new_context().new_page()
    sign_in(reviewer, live_server, "reviewer@demo.local", demo)
    reviewer.get_by_role("link", name="收到的评估").click()
    expect(reviewer.locator("h1")).to_have_text("收到的评估")
    row = reviewer.locator("tbody tr", has_text=SUPPLIER)
    expect(row).to_contain_text("100")
    assert axe(reviewer) == []
    shot(reviewer, "verification-3-received-agency")
    row.get_by_role("link", name=SUPPLIER).click()
    reviewer.get_by_role("button", name="核查该评估").click()
    expect(reviewer.locator("h1")).to_contain_text(SUPPLIER)
    expect(reviewer.get_by_role("list", name=re.compile("Q1.1"))).to_contain_text(EVIDENCE_NAME)

    question = reviewer.locator("[id='Q1.1']")
    question.get_by_label("调整", exact=True).check()
    question.locator("summary").click()  # the verified answer and comment fold away until needed
    question.locator("select[name='answer__Q1.1']").select_option("no")
    reviewer.get_by_role("button", name="完成核查").click()
    question = reviewer.locator("[id='Q1.1']")
    expect(question.locator("[id='error__Q1.1']")).to_contain_text("请说明调整理由")
    expect(reviewer.get_by_role("alert")).to_contain_text("有 1 道题需要处理")
    expect(question.get_by_label("调整", exact=True)).to_be_checked()
    expect(question.locator("select[name='answer__Q1.1']")).to_have_value("no")
    expect(question.locator("textarea")).to_have_attribute("aria-invalid", "true")
    # The other questions were left as accepted, and still are.
    expect(reviewer.locator("[id='Q1.2']").get_by_label("通过", exact=True)).to_be_checked()
    assert axe(reviewer) == []
    shot(reviewer, "verification-4-verify-error")
    overflow = phone_overflow(reviewer, shot, "verification-4-verify-error-phone")
    assert overflow <= 1, f"the verify page scrolls {overflow}px sideways on a phone"

    question.locator("textarea").fill(COMMENT)
    reviewer.get_by_role("button", name="完成核查").click()
    expect(reviewer.locator(".flash")).to_contain_text("核查已完成")
    expect(reviewer.locator("#verified-heading")).to_be_visible()

    # 4. The supplier reads both scores, the comment beside Q1.1, and downloads the PDF.
    supplier.goto(scorecard_url)
    expect(supplier.locator("#verified-heading")).to_contain_text("深圳市生态环境技术审查中心")
    self_score, verified_score = score_cells(supplier)
    q11_row = supplier.locator("#points-heading ~ .table-wrap tbody tr", has_text="Q1.1")
    q11_points = float(q11_row.locator("td").nth(2).inner_text().split("/")[1])
    # "No" earns nothing on Q1.1, and every other answer was accepted.
    assert (self_score, verified_score) == (100, round(100 - q11_points, 2))
    expect(q11_row).to_contain_text(COMMENT)
    expect(q11_row).to_contain_text("调整为：否")
    assert axe(supplier) == []
    shot(supplier, "verification-5-scorecard-verified")
    overflow = phone_overflow(supplier, shot, "verification-5-scorecard-verified-phone")
    assert overflow <= 1, f"the scorecard scrolls {overflow}px sideways on a phone"

    with supplier.expect_download() as download:
        supplier.get_by_role("link", name="下载 PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    buyer = browser.new_context().new_page()
    sign_in(buyer, live_server, "buyer@demo.local", demo)
    buyer.get_by_role("link", name="收到的评估").click()
    buyer_row = buyer.locator("tbody tr", has_text=SUPPLIER)
    expect(buyer_row).to_contain_text(f"{verified_score:g}")
    assert axe(buyer) == []
    shot(buyer, "verification-6-received-buyer")
