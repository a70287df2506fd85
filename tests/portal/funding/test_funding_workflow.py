"""An application from a plan to the start of its public notice, as the supplier and the authority use it; the
transition table; segregation of duties; conflicts that keep what was typed; another organisation's ids."""

from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from portal.extensions import db
from portal.funding.models import FundingApplication
from portal.funding.workflow import WORKFLOW, can_decide
from portal.workdays.calendar import add_working_days


def user(kind, admin=True, org_id=1, uid=1):
    return SimpleNamespace(is_authenticated=True, organisation_id=org_id, org_kind=kind, is_org_admin=admin, id=uid)


def test_the_transition_table_says_who_may_do_what_from_which_state():
    supplier_admin, supplier_staff = user("supplier"), user("supplier", admin=False)
    authority, expert = user("authority", org_id=2, uid=2), user("agency", org_id=3, uid=3)
    app = SimpleNamespace(status="draft", organisation_id=1, assignments=[])
    assert WORKFLOW.allowed_actions(supplier_admin, app) == ["submit", "withdraw"]
    assert WORKFLOW.allowed_actions(supplier_staff, app) == []  # staff prepare, org admins submit
    assert WORKFLOW.allowed_actions(authority, app) == []
    app.status = "submitted"
    assert WORKFLOW.allowed_actions(authority, app) == ["return", "pass_check", "reject"]
    assert WORKFLOW.allowed_actions(expert, app) == []
    app.status = "returned"
    assert WORKFLOW.allowed_actions(supplier_admin, app) == ["resubmit", "withdraw"]
    app.status = "decision"
    assert WORKFLOW.allowed_actions(authority, app) == ["approve", "reject"]
    app.status = "approved"
    assert WORKFLOW.allowed_actions(authority, app) == ["start_notice"]
    assert WORKFLOW.allowed_actions(supplier_admin, app) == []  # no withdrawing after the decision
    # Every state has its row, up to the end of the programme (test_funding_transition_table goes through all).
    targets = {t.target for t in WORKFLOW.transitions.values()}
    assert targets >= {"public_notice", "agreement", "disbursed", "acceptance", "closed", "withdrawn", "rejected"}


def test_whoever_scored_an_application_cannot_decide_it():
    authority = user("authority", uid=7)
    app = SimpleNamespace(status="decision", organisation_id=1,
                          assignments=[SimpleNamespace(expert_id=7, status="scored")])
    assert not can_decide(authority, app)
    app.assignments[0].status = "recused"
    assert can_decide(authority, app)


def test_an_application_goes_from_a_plan_to_the_public_notice(funding, outbox):
    url = funding.apply()
    application = funding.current()
    assert application.status == "draft" and application.plan_id == funding.plan.id
    page = funding.supplier.get(url).get_data(as_text=True)
    assert "1,500,000" in page  # 50 % of 2,400,000 equipment + 600,000 construction
    # Materials are required before submitting; the page says which.
    response = funding.act(funding.supplier, url, "submit")
    assert response.status_code == 409 and "Upload the required materials first" in response.get_data(as_text=True)
    funding.upload_materials(url)
    # Staff prepare; only an org admin submits.
    staff = funding.client(funding.staff)
    assert funding.act(staff, url, "submit").status_code == 409
    assert funding.act(funding.supplier, url, "submit").status_code == 302
    assert funding.current().status == "submitted"
    # Formal check returns for more information, the supplier resubmits.
    needs_reasons = funding.act(funding.authority, url, "return")  # beside the reasons field
    assert needs_reasons.status_code == 422 and 'id="comment-return-error"' in needs_reasons.get_data(as_text=True)
    assert 'aria-describedby="comment-return-error"' in needs_reasons.get_data(as_text=True)
    funding.act(funding.authority, url, "return", "请补充设施运行监测报告。")
    assert funding.current().status == "returned"
    assert "请补充设施运行监测报告。" in funding.supplier.get(url).get_data(as_text=True)
    assert f'href="{url}"' in funding.supplier.get("/dashboard").get_data(as_text=True)
    funding.act(funding.supplier, url, "resubmit", "已补充")
    assert funding.current().status == "submitted"
    assert "/funding/queue?status=submitted" in funding.authority.get("/dashboard").get_data(as_text=True)
    funding.act(funding.authority, url, "pass_check")
    funding.review_by(url, [80, 82, 85])
    assert funding.current().panel_score == Decimal("82")
    funding.act(funding.authority, url, "verify_site", "设施运行正常")
    # Approving more than the formula allows is refused, the typed amount stays.
    too_much = funding.act(funding.authority, url, "approve", "", amount="1500001")
    assert too_much.status_code == 422 and 'value="1500001"' in too_much.get_data(as_text=True)
    funding.act(funding.authority, url, "approve", "评审通过", amount="1,400,000")
    application = funding.current()
    assert application.status == "approved" and application.approved_amount == Decimal("1400000")
    funding.act(funding.authority, url, "start_notice")
    application = funding.current()
    shenzhen_today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the notice runs on the city's calendar
    assert application.status == "public_notice" and application.notice_starts_on == shenzhen_today
    assert application.notice_ends_on == add_working_days(shenzhen_today, 5)
    assert [e.action for e in application.events] == ["create", "submit", "return", "resubmit", "pass_check",
                                                      "close_review", "verify_site", "approve", "start_notice"]
    sent = outbox()
    # Every transition but the two the admin took (submit, resubmit): nobody is told about their own step.
    assert sum(1 for to, _s, _b in sent if to == funding.admin.email) == 6
    approved = next(body for to, subject, body in sent if "Approved amount" in body)
    assert "1,400,000" in approved


def test_reject_needs_reasons_and_ends_the_application(funding):
    url = funding.apply()
    funding.upload_materials(url)
    funding.act(funding.supplier, url, "submit")
    assert funding.act(funding.authority, url, "reject").status_code == 422
    funding.act(funding.authority, url, "reject", "项目不属于本专项支持范围")
    application = funding.current()
    assert application.status == "rejected" and application.decision_reasons == "项目不属于本专项支持范围"
    assert funding.act(funding.supplier, url, "resubmit").status_code == 409


def test_a_second_application_for_the_same_plan_is_refused(funding):
    funding.apply()
    response = funding.supplier.post(f"/funding/programmes/{funding.programme.id}/apply", data={
        "plan_id": funding.plan.id, "project_type": "upgrade"})
    assert response.status_code == 422 and "No other funding for the same project" in response.get_data(as_text=True)


def test_two_people_on_the_same_application_one_gets_a_conflict_and_keeps_the_text(funding, make):
    url = funding.apply()
    funding.upload_materials(url)
    funding.act(funding.supplier, url, "submit")
    stale_version = funding.current().version_id
    second = funding.client(make.user(funding.authority_user.organisation, locale="en"))
    assert funding.authority.post(url + "/act", data={"action": "pass_check", "version": stale_version}).status_code \
        == 302
    response = second.post(url + "/act", data={"action": "return", "comment": "我写的退回意见",
                                               "version": stale_version})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else changed this application" in html and "我写的退回意见" in html
    assert funding.current().status == "expert_review"
    # The same on the supplier's edit form: a stale save keeps what was typed.
    url2 = funding.apply(funding.completed_plan(Decimal("100000"), Decimal("0")))
    version = funding.current().version_id
    funding.supplier.post(url2, data={"project_type": "upgrade", "summary": "第一版", "version": version})
    stale = funding.supplier.post(url2, data={"project_type": "upgrade", "summary": "我的改动", "version": version})
    assert stale.status_code == 409 and "我的改动" in stale.get_data(as_text=True)
    assert "Someone else changed this application" in stale.get_data(as_text=True)


def test_a_stale_decision_keeps_the_typed_reasons(funding, make):
    url = funding.apply()
    funding.to_decision(url, scores=(70, 75, 80))
    stale_version = funding.current().version_id
    funding.act(funding.authority, url, "reject", "资料不全")
    colleague = funding.client(make.user(funding.authority_user.organisation, locale="en"))
    response = colleague.post(url + "/act", data={"action": "approve", "comment": "同意资助，理由如下……",
                                                  "amount": "1200000", "version": stale_version})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else changed this application" in html
    assert "同意资助，理由如下……" in html and "1200000" in html  # shown again, though approving is no longer open
    assert funding.current().status == "rejected"


def test_another_supplier_gets_404_and_reviewers_never_see_drafts(funding, make):
    url = funding.apply()
    other = funding.client(make.user(make.org("supplier")))
    assert other.get(url).status_code == 404
    assert other.post(url + "/act", data={"action": "submit"}).status_code == 404
    assert funding.authority.get(url).status_code == 404  # a draft
    funding.upload_materials(url)
    funding.act(funding.supplier, url, "submit")
    assert funding.authority.get(url).status_code == 200
    assert other.get(url).status_code == 404
    assert funding.current().reference in funding.authority.get("/funding/queue").get_data(as_text=True)
    db.session.rollback()


def test_an_application_needs_a_plan_the_agency_approved(funding):
    funding.plan.status = "draft"
    db.session.commit()
    response = funding.supplier.post(f"/funding/programmes/{funding.programme.id}/apply", data={
        "plan_id": funding.plan.id, "project_type": "upgrade"})
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(FundingApplication)) == 0


def test_eligibility_kept_with_an_application_reads_in_the_readers_language(funding, make):
    chinese = funding.client(make.user(funding.org, locale="zh"))
    url = funding.apply(client=chinese)  # checked, and kept, while the page spoke Chinese
    page = funding.supplier.get(url).get_data(as_text=True)
    english = page.split('id="eligibility-heading"')[1].split("</section>")[0]
    assert "District in your profile" in english and "Completed after" in english
    assert "贵单位资料中的行政区" not in english and "须晚于此日期完成" not in english
    assert "年" not in english  # the dates are English too
    assert "贵单位资料中的行政区" in chinese.get(url).get_data(as_text=True)
    # Results kept before the rule and its facts were kept with them show as they were written.
    application = funding.current()
    application.eligibility = [{"key": "registered_in_city", "label": "在本市注册", "outcome": "passed",
                                "data": [["贵单位资料中的行政区", "宝安区"]], "fix": None}]
    db.session.commit()
    page = funding.supplier.get(url)
    assert page.status_code == 200 and "贵单位资料中的行政区: 宝安区" in page.get_data(as_text=True)
