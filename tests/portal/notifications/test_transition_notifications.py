"""Every workflow transition tells the people who act next, in the portal and by e-mail, and nobody else."""

import io
from datetime import date, timedelta

from portal.assessment.models import Verification
from portal.auth.models import User
from portal.chains.models import ChainConsent, ChainLink
from portal.extensions import db
from portal.funding import objections
from portal.notifications.models import Notification
from portal.orgs.models import Organisation
from portal.plans.models import PlanMilestone, UpgradePlan
from portal.sites.models import Site
from tests.conftest import login
from tests.portal.assessment.test_verification import people, submitted, verify  # noqa: F401 (fixture)
from tests.portal.notifications.conftest import kinds_of
from tests.portal.reports.conftest import Supplier


def test_a_report_submission_reaches_the_agency_and_its_decisions_the_suppliers_admins(app, make, outbox):
    supplier = Supplier(app, make)
    staff = make.user(supplier.org, role="staff")
    agency_member = make.user(make.org("agency"))
    reviewer = app.test_client()
    login(reviewer, agency_member)
    outsider = make.user(make.org("supplier"))
    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)
    supplier.client.post(f"/reports/{report_id}/submit")
    assert kinds_of(agency_member) == ["report.submitted"]
    assert kinds_of(supplier.admin) == []
    reviewer.post(f"/reports/{report_id}/decision", data={"decision": "return", "note": "请核对用电量"})
    assert kinds_of(supplier.admin) == ["report.returned"]
    supplier.client.post(f"/reports/{report_id}/submit")
    reviewer.post(f"/reports/{report_id}/decision", data={"decision": "accept"})
    assert kinds_of(supplier.admin) == ["report.returned", "report.accepted"]
    assert kinds_of(agency_member) == ["report.submitted", "report.submitted"]
    assert kinds_of(staff) == [] and kinds_of(outsider) == []
    sent = [to for to, _subject, _body in outbox()]
    assert sent.count(supplier.admin.email) == 2 and sent.count(agency_member.email) == 2
    assert outsider.email not in sent


def test_a_completed_verification_reaches_the_suppliers_admins(people, benchmark, make):  # noqa: F811
    outsider = make.user(make.org("supplier"))
    url, assessment = submitted(people["supplier"], benchmark)
    verify(people["agency"], url, adjust=["Q1.1"])
    assert kinds_of(people["supplier_admin"]) == []  # saved, not yet completed
    checked = db.session.scalars(db.select(Verification)).one()
    verify(people["agency"], url, adjust=["Q1.1"], then="complete", version=checked.version_id)
    assert kinds_of(people["supplier_admin"]) == ["assessment.verified"]
    assert kinds_of(outsider) == []
    note = db.session.scalars(db.select(Notification).where(
        Notification.user_id == people["supplier_admin"].id)).one()
    opened = people["supplier"].get(f"/notifications/{note.id}")
    assert opened.headers["Location"] == f"/assessments/{assessment.id}/scorecard"


def test_each_plan_step_reaches_the_other_side(app, make):
    org = make.org("supplier")
    admin, outsider = make.user(org), make.user(make.org("supplier"))
    agency_member = make.user(make.org("agency"))
    buyer = make.user(make.org("buyer"))
    site = Site(organisation_id=org.id, name="一厂")
    plan = UpgradePlan(organisation_id=org.id, site=site, title="节能改造", status="submitted")
    plan.milestones.append(PlanMilestone(title="设备安装", due_date=date(2026, 6, 30), responsible="王工"))
    db.session.add(plan)
    db.session.commit()
    supplier, agency = app.test_client(), app.test_client()
    login(supplier, admin)
    login(agency, agency_member)

    def act(client, action, comment=""):
        db.session.refresh(plan)
        response = client.post(f"/plans/{plan.id}/act", data={"action": action, "comment": comment,
                                                               "version": plan.version_id})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]

    act(agency, "approve")
    act(supplier, "start")
    assert kinds_of(admin) == ["plan.approve"]
    assert kinds_of(agency_member) == ["plan.start"]
    assert kinds_of(outsider) == [] and kinds_of(buyer) == []


def test_funding_steps_reach_the_supplier_the_authority_and_each_assigned_expert(funding, make, outbox):
    outsider = make.user(make.org("supplier"))
    other_admin = make.user(funding.org)
    url = funding.apply()
    funding.upload_materials(url)
    funding.act(funding.supplier, url, "submit")
    # Whoever took the step is not told about it; the organisation's other admins are.
    assert kinds_of(funding.admin) == [] and kinds_of(other_admin) == ["funding.status"]
    assert kinds_of(funding.staff) == []
    assert kinds_of(funding.authority_user) == ["funding.submitted"]
    funding.act(funding.authority, url, "return", "请补充材料")
    funding.act(funding.supplier, url, "resubmit")
    assert kinds_of(funding.authority_user) == ["funding.submitted", "funding.resubmitted"]
    funding.act(funding.authority, url, "pass_check")
    assert kinds_of(funding.admin) == ["funding.status"] * 2  # returned, passed the check
    assert kinds_of(other_admin) == ["funding.status"] * 4
    funding.review_by(url, [80, 82, 85])
    # Three assigned experts hear about it; the two others do not. The authority hears once all scores are in. Once
    # the review closes, the technical agency hears that the site check is due (it organises it).
    assert [kinds_of(e) for e in funding.experts] == ([["funding.expert_assigned", "funding.site_check_due"]] * 3
                                                      + [["funding.site_check_due"]] * 2)
    assert kinds_of(funding.authority_user)[-1] == "funding.scores_complete"
    assert kinds_of(funding.authority_user).count("funding.scores_complete") == 1
    assert kinds_of(outsider) == []
    sent = [to for to, _subject, _body in outbox()]
    assert sent.count(funding.experts[0].email) == 2 and sent.count(funding.experts[4].email) == 1
    assert sent.count(funding.authority_user.email) == 3 and outsider.email not in sent
    # The agency records the site check; the authority hears that the decision is due, the agency member not.
    funding.act(funding.client(funding.experts[4]), url, "verify_site", "现场核查：设施运行正常")
    assert kinds_of(funding.authority_user)[-1] == "funding.decision_due"
    assert kinds_of(funding.experts[4]) == ["funding.site_check_due"]


def test_a_withdrawal_reaches_the_authority_and_the_experts_still_at_work(funding, make, outbox):
    url = funding.apply()
    funding.to_expert_review(url)
    assigned = funding.experts[:3]
    funding.authority.post(url + "/experts", data={"expert_id": [e.id for e in assigned]})
    funding.client(assigned[0]).post(url + "/declaration", data={"conflict": "no"})  # declared, not yet scored
    funding.client(assigned[1]).post(url + "/declaration", data={"conflict": "yes",
                                                                  "declaration_note": "曾任该企业顾问"})  # recused
    before = [kinds_of(e) for e in funding.experts]
    assert funding.act(funding.supplier, url, "withdraw", "项目暂缓\n明年再申请").status_code == 302
    assert funding.current().status == "withdrawn"
    told = [kinds_of(e)[len(seen):] for e, seen in zip(funding.experts, before, strict=True)]
    assert sorted(a.status for a in funding.current().assignments) == ["assigned", "declared", "recused"]
    assert told == [["funding.withdrawn"], [], ["funding.withdrawn"], [], []]
    assert kinds_of(funding.authority_user)[-1] == "funding.withdrawn"
    assert "funding.withdrawn" not in kinds_of(funding.admin)  # who withdrew it
    mail = [(subject, body) for to, subject, body in outbox() if to == funding.authority_user.email][-1]
    assert funding.current().reference in mail[0] and "项目暂缓 明年再申请" in mail[0]  # the reason, on one line


def test_withdrawing_a_draft_bothers_nobody_else(funding):
    url = funding.apply()
    assert funding.act(funding.supplier, url, "withdraw", "填错了").status_code == 302
    assert kinds_of(funding.authority_user) == [] and kinds_of(funding.admin) == []


def test_a_submitted_self_assessment_reaches_those_who_may_verify_it(app, people, benchmark, make,  # noqa: F811
                                                                    outbox):
    supplier_id = people["supplier_admin"].organisation_id
    shared_with, not_shared = people["buyer_org"], people["other_buyer_org"]
    # The supplier shares new data with this buyer's chain (portal/chains consent).
    db.session.add_all([ChainLink(buyer_organisation_id=shared_with.id, supplier_organisation_id=supplier_id, tier=1),
                        ChainConsent(supplier_organisation_id=supplier_id, buyer_organisation_id=shared_with.id,
                                     share_new=True)])
    db.session.commit()
    buyer_staff = make.user(shared_with, role="staff")
    agency_member = db.session.scalars(db.select(User).where(User.organisation_id.in_(db.select(
        Organisation.id).where(Organisation.kind == "agency")))).one()
    not_shared_member = db.session.scalars(db.select(User).where(User.organisation_id == not_shared.id)).one()
    _url, assessment = submitted(people["supplier"], benchmark)
    assert {share.buyer_organisation_id for share in assessment.shares} == {shared_with.id}
    assert kinds_of(agency_member) == ["assessment.submitted"] and kinds_of(buyer_staff) == ["assessment.submitted"]
    assert kinds_of(not_shared_member) == [] and kinds_of(people["supplier_admin"]) == []
    note = db.session.scalars(db.select(Notification).where(Notification.user_id == buyer_staff.id)).one()
    assert note.link == f"/assessments/{assessment.id}/verify"
    # Each of them may open the page the notification leads to.
    buyer_client = app.test_client()
    login(buyer_client, buyer_staff)
    assert buyer_client.get(note.link).status_code == 200
    assert agency_member.email in [to for to, _subject, _body in outbox()]


def test_a_penalty_explanation_reaches_the_reviewers(app, make, outbox):
    from tests.portal.records.test_record_pages import PDF, import_penalties, penalty_of

    org = make.org("supplier")
    import_penalties([org.credit_code, "2025-05-06", "EXP-9", "废气设施未运行", "罚款3万元", "整改中", ""])
    authority_member, agency_member = make.user(make.org("authority")), make.user(make.org("agency"))
    other_supplier = make.user(make.org("supplier"))
    supplier = app.test_client()
    login(supplier, make.user(org))
    response = supplier.post(f"/records/penalties/{penalty_of(org).id}/explanations",
                             content_type="multipart/form-data",
                             data={"text": "设施已恢复运行。", "files": [(io.BytesIO(PDF), "监测报告.pdf")]})
    assert response.status_code == 302
    assert kinds_of(authority_member) == ["records.penalty_explained"]
    assert kinds_of(agency_member) == ["records.penalty_explained"] and kinds_of(other_supplier) == []
    assert {authority_member.email, agency_member.email} <= {to for to, _subject, _body in outbox()}


def test_reopening_an_accepted_report_reaches_the_agency(app, make, outbox):
    supplier = Supplier(app, make)
    agency_member = make.user(make.org("agency"))
    reviewer = app.test_client()
    login(reviewer, agency_member)
    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)
    supplier.client.post(f"/reports/{report_id}/submit")
    reviewer.post(f"/reports/{report_id}/decision", data={"decision": "accept"})
    supplier.client.post(f"/reports/{report_id}/correct", data={"reason": "电费单漏计12月"})
    assert kinds_of(agency_member) == ["report.submitted", "report.correction_started"]
    assert kinds_of(supplier.admin) == ["report.accepted"]
    mail = [subject for to, subject, _body in outbox() if to == agency_member.email][-1]
    assert "电费单漏计12月" in mail


def test_an_objection_to_a_public_notice_is_mailed_to_the_authority(app, funding, outbox):
    from tests.portal.notifications.test_reminders import an_application

    application = an_application(funding, "public_notice", 1_000_000)
    application.notice_starts_on, application.notice_ends_on = date.today(), date.today() + timedelta(days=5)
    db.session.commit()
    with app.test_request_context():
        objections.file_objection(application, name="张三", contact="13800000000", text="该项目噪声扰民",
                                  address="127.0.0.1", today=date.today())
        db.session.commit()
    assert kinds_of(funding.authority_user) == ["funding.objection_filed"]
    assert [to for to, _subject, _body in outbox()] == [funding.authority_user.email]
