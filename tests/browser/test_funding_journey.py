"""A supplier's way from its self-assessment's gap report to a closed funding application, across the people who take
part, through the pages only: the supplier starts an upgrade plan from the gaps it ticked, writes it and submits it;
the technical agency returns it with comments, the supplier revises it, the agency approves it; the supplier carries
it out and completes it, then applies to the programme with it and its materials. The authority checks the
application and forms a panel of three experts, who declare their interests and score; the technical agency
verifies the site; the authority (who did not score) approves and publishes the notice. Anyone reads the notice and
one person objects; the authority dismisses the objection with a reason, ends the notice, records the agreement and
pays; the supplier reports for acceptance; the technical agency closes it and the supplier downloads the decision
letter and the acceptance certificate."""

import subprocess
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from portal import local_time
from portal.assessment.services import seed_programme_benchmark
from portal.extensions import db
from portal.funding.demo import DEMO_PROGRAMME
from portal.funding.models import FundingApplication, FundingProgramme
from tests.browser.test_assessment_verification import phone_overflow
from tests.browser.test_smoke import sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SUPPLIER = "深圳市绿源电路板有限公司"
PLAN = "曝气系统节能与含镍废水深度处理改造"
# DOMAIN.md §5: the national grid factor of 2023 (the baseline year: the site's latest accepted annual report).
GRID_2023 = "0.5306"
# Gaps of an unanswered assessment the plan answers: operating records of the treatment facilities, scope 1 and 2
# emissions with the grid factor, and a written improvement plan.
GAPS = ("Q3.5", "Q4.2", "Q8.4")


def upload(form, field, name):
    form.locator(f"input[type=file][name='{field}']").set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": PDF})


def take(page, action, **fields):
    """Fills and sends the form that takes `action` on the application page."""
    form = page.locator(f"form[data-transition='{action}']")
    for name, value in fields.items():
        form.locator(f"[name='{name}']").fill(value)
    form.locator("button[type=submit]").click()


def plan_step(page, label, comment=None):
    """Presses one of the plan's workflow buttons (with its comment) and waits for the plan's new state."""
    form = page.locator("#timeline form").filter(has=page.get_by_role("button", name=label, exact=True))
    if comment is not None:
        form.locator("textarea[name=comment]").fill(comment)
    form.get_by_role("button", name=label, exact=True).click()
    expect(page.locator(".flash")).to_contain_text("计划当前状态")


def today() -> str:
    """The day a user in Shenzhen types (the server's clock may be a day behind: it runs on UTC)."""
    return local_time.today().isoformat()


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@dataclass
class Journey:
    browser: object
    base: str
    password: str
    axe: object
    shot: object

    def page(self, email: str | None = None) -> Page:
        page = self.browser.new_context().new_page()
        if email:
            sign_in(page, self.base, email, self.password)
        return page

    def accessible(self, page: Page) -> None:
        assert self.axe(page) == [], page.url


def start_plan_from_gaps(j: Journey, supplier: Page) -> str:
    supplier.get_by_role("link", name="自评", exact=True).click()
    supplier.get_by_role("button", name="开始填报").click()
    supplier.get_by_role("button", name="保存并查看评分卡").click()
    expect(supplier.locator("#gaps-heading")).to_be_visible()
    listed = supplier.locator("input[form=plan-from-gaps][name=gap]").evaluate_all("es => es.map(e => e.value)")
    gaps = [gap for gap in listed if gap in GAPS]  # in the report's order, the order the form sends them in
    assert len(gaps) == len(GAPS), listed
    for gap in gaps:
        supplier.locator(f"[id='gap-{gap}']").check()
    j.accessible(supplier)
    j.shot(supplier, "funding-journey-0-gap-report")
    supplier.get_by_role("button", name="根据所选差距新建升级改造计划").click()
    chosen = supplier.locator("section[aria-labelledby=gaps-heading] li strong")
    expect(chosen).to_have_text(gaps)  # each gap listed with its question
    supplier.locator("#site_id").select_option(index=1)
    supplier.locator("#title").fill(PLAN)
    j.accessible(supplier)
    j.shot(supplier, "funding-journey-0a-plan-from-gaps")
    supplier.get_by_role("button", name="创建计划").click()
    expect(supplier.locator("h1")).to_have_text(PLAN)
    expect(supplier.locator("main p small").filter(has_text="自评估差距")).to_have_text(
        f"针对以下自评估差距： {', '.join(gaps)}")  # each gap once
    return supplier.url.split("#")[0]


def write_plan(j: Journey, supplier: Page) -> None:
    # The baseline came from the site's latest accepted annual report.
    expect(supplier.locator("#baseline_year")).to_have_value("2023")
    expect(supplier.locator("#plan-heading ~ form .badge-ok").first).to_contain_text("2023 年已通过报告")
    supplier.locator("#summary").fill("罗茨鼓风机能耗高、含镍废水出水波动；更换磁悬浮鼓风机并增设膜深度处理。")
    supplier.get_by_role("button", name="保存", exact=True).click()
    expect(supplier.locator(".flash")).to_contain_text("计划已保存")
    supplier.get_by_text("添加措施", exact=True).click()
    measure = supplier.locator("#measures form")
    measure.locator("#kind").select_option("wastewater")
    measure.locator("#description").fill("曝气系统改用磁悬浮鼓风机；含镍废水增设膜深度处理单元（车间二）")
    for field, value in (("equipment", "1,800,000"), ("construction", "600,000"), ("other", "100,000"),
                         ("reduction__COD", "1.8"), ("reduction__electricity", "120")):
        measure.locator(f"#{field}").fill(value)
    measure.get_by_role("button", name="添加该措施").click()
    expect(supplier.locator(".flash")).to_contain_text("措施已添加")
    expect(supplier.locator("hgroup")).to_contain_text("2,500,000")
    # The electricity saving's CO2: 120 MWh × 0.5306 tCO2/MWh = 63.672 tCO2.
    expect(supplier.locator("#plan-heading ~ form")).to_contain_text(f"63.672 tCO₂ = 120 MWh × {GRID_2023} tCO₂/MWh")
    supplier.get_by_text("添加里程碑", exact=True).click()
    milestone = supplier.locator("#milestones form")
    milestone.locator("#ms-title").fill("鼓风机与膜处理单元安装调试完成")
    milestone.locator("#ms-due").fill((local_time.today() + timedelta(days=60)).isoformat())
    milestone.locator("#ms-who").fill("李环保")
    milestone.get_by_role("button", name="添加该里程碑").click()
    expect(supplier.locator(".flash")).to_contain_text("里程碑已添加")
    attach(supplier, "design", "设计方案.pdf")
    j.accessible(supplier)
    overflow = phone_overflow(supplier, j.shot, "funding-journey-0b-plan-draft-phone")
    assert overflow <= 1, f"the plan page scrolls {overflow}px sideways on a phone"


def attach(page: Page, purpose: str, name: str) -> None:
    files = page.locator("#files form")
    files.locator("#purpose").select_option(purpose)
    upload(files, "file", name)
    files.get_by_role("button", name="上传").click()
    expect(page.locator("#files ul")).to_contain_text(name)


def review_and_carry_out_plan(j: Journey, supplier: Page, plan_url: str) -> None:
    plan_step(supplier, "提交审查")
    agency = j.page("reviewer@demo.local")
    agency.goto(plan_url)
    j.accessible(agency)
    plan_step(agency, "附意见退回", "请补充鼓风机的报价单，并说明膜处理单元的设计处理能力。")
    supplier.goto(plan_url)
    expect(supplier.locator("#comments-heading + p")).to_contain_text("请补充鼓风机的报价单")
    attach(supplier, "quote", "磁悬浮鼓风机报价单.pdf")
    supplier.locator("#summary").fill("罗茨鼓风机能耗高、含镍废水出水波动；更换磁悬浮鼓风机并增设膜深度处理"
                                      "单元（设计处理能力 120 m³/d）。")
    supplier.get_by_role("button", name="保存", exact=True).click()
    plan_step(supplier, "提交审查")
    agency.goto(plan_url)
    plan_step(agency, "批准", "技术路线可行，同意实施。")
    expect(agency.locator("#timeline")).to_contain_text("技术路线可行，同意实施。")
    j.shot(agency, "funding-journey-0c-plan-approved-agency")
    agency.context.close()

    supplier.goto(plan_url)
    plan_step(supplier, "开始实施")
    progress = supplier.locator("#milestones form")
    progress.locator("input[name=done_on]").fill(today())
    progress.locator("input[name=note]").fill("设备安装完成，调试运行正常。")
    upload(progress, "file", "调试运行记录.pdf")
    progress.get_by_role("button", name="记录进展").click()
    expect(supplier.locator(".flash")).to_contain_text("进展已记录")
    expect(supplier.locator("#files ul")).to_contain_text("调试运行记录.pdf")
    j.accessible(supplier)
    plan_step(supplier, "标记为已完成")
    expect(supplier.locator("hgroup")).to_contain_text("已完成")
    j.shot(supplier, "funding-journey-0d-plan-completed")


def apply_with_the_plan(j: Journey, supplier: Page) -> str:
    programme = db.session.scalars(db.select(FundingProgramme).where(FundingProgramme.name == DEMO_PROGRAMME)).one()
    supplier.goto(f"{j.base}/funding/programmes/{programme.id}")
    supplier.locator("#plan_id").select_option(label=f"{PLAN} (已完成)")
    supplier.get_by_role("button", name="检查", exact=True).click()
    rows = supplier.locator("#eligibility-heading ~ .table-wrap tbody tr")
    expect(rows).to_have_count(5)
    for n in range(5):
        expect(rows.nth(n).locator("td").first).to_have_text("✓ 通过")
    expect(supplier.locator("#eligibility-heading ~ .table-wrap")).to_contain_text(PLAN)
    expect(supplier.locator("#amount-heading ~ dl")).to_contain_text("1,200,000")
    j.accessible(supplier)
    j.shot(supplier, "funding-journey-0e-eligibility")
    supplier.get_by_role("button", name="以此计划开始申请").click()
    expect(supplier.locator(".flash")).to_contain_text("申请已创建")
    expect(supplier.locator("main")).to_contain_text(PLAN)
    return supplier.url.split("#")[0]


def submit_materials(supplier: Page) -> None:
    materials = supplier.locator("#materials form")
    for value in materials.locator("select[name=material] option").evaluate_all("os => os.map(o => o.value)"):
        if value == "other":
            continue
        materials = supplier.locator("#materials form")
        materials.locator("select[name=material]").select_option(value)
        upload(materials, "file", f"材料-{value}.pdf")
        materials.get_by_role("button", name="上传").click()
        expect(supplier.locator(".flash")).to_contain_text("文件已上传")
    take(supplier, "submit")
    expect(supplier.locator("hgroup")).to_contain_text("已提交")


def expert_review(j: Journey, authority: Page, url: str) -> None:
    authority.goto(url)
    take(authority, "pass_check")
    expect(authority.locator("hgroup")).to_contain_text("专家评审")
    assign = authority.locator("#review details")
    for label in assign.locator("fieldset label").all():
        label.click()  # the expert's name with the organisation's beneath it
    assign.locator("button[type=submit]").click()
    for email, points in (("reviewer@demo.local", (25, 24, 16, 15)), ("expert1@demo.local", (27, 26, 17, 16)),
                          ("expert2@demo.local", (22, 25, 15, 18))):
        expert = j.page(email)
        expert.goto(url)
        expert.locator("#conflict-no").check()  # nothing is pre-selected: the expert declares
        expert.locator("#review form").filter(has=expert.locator("#conflict-no")).locator("button").click()
        for n, value in enumerate(points, start=1):
            expert.locator(f"#score__c{n}").fill(str(value))
        expert.locator("#comments").fill("技术路线成熟，减排效果可核实。")
        expert.locator("#review form button[type=submit]").last.click()
        expect(expert.locator(".flash")).to_contain_text("评分已保存")
        expert.context.close()
    authority.goto(url)
    take(authority, "close_review")
    expect(authority.locator("hgroup")).to_contain_text("现场核查")


def notice_with_objection(j: Journey, authority: Page, url: str) -> None:
    """Anyone reads the notice without signing in and objects with a name and a contact; the authority dismisses
    the objection with a reason, which the notice page then publishes."""
    public = j.page()
    notice = f"{j.base}/public/notices/{url.rsplit('/', 1)[1]}"
    public.goto(notice)
    expect(public.locator("body")).to_contain_text(SUPPLIER)
    expect(public.locator("body")).to_contain_text("1,200,000")
    public.get_by_label("您的真实姓名").fill("王居民")
    public.get_by_label("电话、电子邮箱或通信地址").fill("13800000000")
    public.get_by_label("异议内容及理由").fill("该厂夜间鼓风机噪声扰民，改造是否包括降噪？")
    public.get_by_role("button", name="提交异议").click()
    expect(public.locator("#objections")).to_contain_text("已收到 1 件异议。")
    j.accessible(public)

    authority.goto(url)
    objection = authority.locator("#objections article")
    expect(objection).to_contain_text("王居民 · 13800000000")
    j.shot(authority, "funding-journey-1a-objection-authority")
    objection.locator("label", has_text="异议不成立").click()
    objection.locator("textarea[name=resolution]").fill("经核实，噪声问题不属于本项目资助范围，已转交执法部门核查；"
                                                       "异议不影响本次资助决定。")
    j.accessible(authority)
    objection.get_by_role("button", name="记录处理结果").click()
    expect(authority.locator(".flash")).to_contain_text("处理结果已记录")

    public.goto(notice)
    expect(public.locator("#objections")).to_contain_text("异议不成立")
    expect(public.locator("#objections")).to_contain_text("已转交执法部门核查")
    expect(public.locator("#objections")).not_to_contain_text("王居民")
    j.shot(public, "funding-journey-1-public-notice-objection")
    public.context.close()


def test_a_plan_from_the_gap_report_to_a_closed_application(browser, live_server, demo, axe, shot):
    seed_programme_benchmark()  # the platform admin's publication of the programme's questionnaire
    db.session.commit()
    j = Journey(browser, live_server, demo, axe, shot)

    # 1-4. The supplier starts a plan from its gap report, writes it, has it reviewed, carries it out.
    supplier = j.page("supplier@demo.local")
    plan_url = start_plan_from_gaps(j, supplier)
    write_plan(j, supplier)
    review_and_carry_out_plan(j, supplier, plan_url)

    # 5. It applies with this plan, uploads the materials and submits.
    url = apply_with_the_plan(j, supplier)
    application_id = int(url.rsplit("/", 1)[1])
    submit_materials(supplier)

    # 6. The authority checks it and forms the panel; the experts score; the technical agency visits the site.
    authority = j.page("authority@demo.local")
    expert_review(j, authority, url)
    agency = j.page("reviewer@demo.local")
    agency.goto(url)
    take(agency, "verify_site", comment="现场核查：新设施运行正常，与申报材料一致。")
    expect(agency.locator("hgroup")).to_contain_text("待决定")

    # 7. The authority approves and starts the notice; a member of the public objects; the authority resolves it.
    authority.goto(url)
    take(authority, "approve", amount="1,200,000", comment="专家评审通过，同意资助。")
    expect(authority.locator("#decision-heading")).to_be_visible()
    take(authority, "start_notice")
    expect(authority.locator("hgroup")).to_contain_text("公示")
    notice_with_objection(j, authority, url)

    # 8. The notice period is over (the clock moves: the same period, ending yesterday); the authority ends it,
    #    records the signed agreement and the first payment.
    application = db.session.get(FundingApplication, application_id)
    db.session.refresh(application)
    shift = application.notice_ends_on - application.notice_starts_on + timedelta(days=1)
    application.notice_starts_on, application.notice_ends_on = (application.notice_starts_on - shift,
                                                                application.notice_ends_on - shift)
    db.session.commit()
    authority.goto(url)
    take(authority, "end_notice", comment="公示期内收到异议一件，经核实不成立。")
    expect(authority.locator("hgroup")).to_contain_text("协议")
    agreement = authority.locator("#closing form")
    agreement.locator("#agreement_number").fill("深环资协〔2026〕17号")
    agreement.locator("#signed_on").fill(today())
    upload(agreement, "agreement_file", "资助协议-盖章.pdf")
    agreement.get_by_role("button", name="保存协议").click()
    expect(authority.locator(".flash")).to_contain_text("资助协议已登记")
    take(authority, "disburse", amount="1,000,000", paid_on=today(), batch="PZ-2026-0031")
    expect(authority.locator("hgroup")).to_contain_text("已拨付")
    j.accessible(authority)
    shot(authority, "funding-journey-2-paid-authority")

    # 9. The supplier attaches evidence and sends the acceptance report.
    supplier.goto(url)
    evidence = supplier.locator("#acceptance form").first
    upload(evidence, "file", "验收监测报告.pdf")
    evidence.get_by_role("button", name="上传").click()
    expect(supplier.locator("#acceptance")).to_contain_text("验收监测报告.pdf")
    shot(supplier, "funding-journey-3a-acceptance-form-supplier")
    take(supplier, "start_acceptance", reduction__COD="1.8", reduction__electricity="120",
         acceptance_summary="新曝气系统与膜处理单元稳定运行，电表与在线监测显示节电及出水镍浓度持续达标。")
    expect(supplier.locator("hgroup")).to_contain_text("验收")
    j.accessible(supplier)
    shot(supplier, "funding-journey-3-acceptance-supplier")
    overflow = phone_overflow(supplier, shot, "funding-journey-3-acceptance-supplier-phone")
    assert overflow <= 1, f"the application page scrolls {overflow}px sideways on a phone"

    # 10. The technical agency reads the evidence and closes with the verdict.
    agency.goto(url)
    link = agency.locator("#acceptance a", has_text="验收监测报告.pdf")
    response = agency.request.get(j.base + link.get_attribute("href"))
    assert response.status == 200 and response.body() == PDF  # the agency opens the evidence it judges
    close = agency.locator("form[data-transition='close']")
    close.locator("label[for='verdict-passed']").click()
    expect(close.locator('#verdict-passed')).to_be_checked()
    close.locator("textarea").fill("验收通过：设施运行正常，减排量经监测数据核实。")
    close.locator("button[type=submit]").click()
    expect(agency.locator("hgroup")).to_contain_text("已结项")
    expect(agency.locator("#timeline")).to_contain_text("验收通过：设施运行正常")
    j.accessible(agency)
    shot(agency, "funding-journey-4-closed-agency")

    # 11. The supplier downloads the decision letter and the acceptance certificate.
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
    assert SUPPLIER in letter_text and "1,200,000" in letter_text and "专家评审通过，同意资助。" in letter_text
    assert PLAN in letter_text
    certificate_text = pdf_text(folder / "funding-acceptance-certificate.pdf")
    assert "深环资协〔2026〕17号" in certificate_text and "1,000,000" in certificate_text
    assert "验收通过" in certificate_text and "1.8" in certificate_text
