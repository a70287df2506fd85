"""Every route against every role, compared with the table below; and every object route with another
organisation's ids. A new route fails test_every_route_is_in_the_table until it is given a row."""

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import current_app

from portal.api.models import ApiToken
from portal.assessment.models import Assessment, AssessmentEvidence, Benchmark
from portal.assessment.services import seed_programme_benchmark
from portal.assistant.models import AssistantMessage, GuidelineFile, IndexBuild
from portal.capacity.models import GuidanceRequest, Training, TrainingMaterial, TrainingRegistration
from portal.chains.models import ChainInvitation, ChainLink
from portal.extensions import db
from portal.funding.closing_models import AcceptanceFile, Agreement
from portal.funding.models import ApplicationFile, FundingApplication, FundingProgramme
from portal.funding.objections import Objection
from portal.notifications.models import Notification
from portal.orgs.models import Invitation, JoinRequest
from portal.plans.models import PlanFile, PlanMeasure, PlanMilestone, UpgradePlan
from portal.public.models import Tip
from portal.records.models import PenaltyExplanation, PenaltyRecord, RecordImport, RectificationEvidence
from portal.reports.models import AnnualReport, EmissionFactorRecord, Evidence, ReportImport, ReportVersion
from portal.sites.models import Site
from tests.conftest import PASSWORD, login

ROLES = ("anonymous", "supplier_admin", "supplier_staff", "buyer", "reviewer", "authority", "platform_admin")
SIGNED_IN = set(ROLES) - {"anonymous"}
EVERYONE = set(ROLES)
ADMINS = {"supplier_admin", "buyer", "reviewer", "authority", "platform_admin"}  # org admins + platform admin
PLATFORM = {"platform_admin"}
SUPPLIERS = {"supplier_admin", "supplier_staff"}
REPORT_READERS = SUPPLIERS | {"reviewer", "platform_admin"}
CHAIN_INVITERS = {"buyer", "supplier_admin"}

# endpoint: (method, roles that may use it). Other signed-in roles get 403 (role pages) or 404 (objects).
EXPECTED = {
    "dashboard.landing": ("GET", EVERYONE),
    "dashboard.home": ("GET", SIGNED_IN),
    "health.healthz": ("GET", EVERYONE),
    "auth.login": ("GET", EVERYONE),
    "auth.logout": ("POST", SIGNED_IN),
    "auth.forgot_password": ("GET", EVERYONE),
    "auth.reset_password": ("GET", EVERYONE),
    "i18n.switch_language": ("POST", EVERYONE),
    "orgs.register": ("GET", EVERYONE),
    "orgs.accept_invitation": ("GET", EVERYONE),
    "orgs.profile": ("GET", SIGNED_IN),
    "orgs.edit_profile": ("GET", ADMINS),
    "orgs.members": ("GET", SIGNED_IN),
    "orgs.invite": ("POST", ADMINS),
    "orgs.revoke_invitation": ("POST", ADMINS),
    "orgs.change_role": ("POST", ADMINS),
    "orgs.set_active": ("POST", ADMINS),
    "orgs.decide_join_request": ("POST", ADMINS),
    "admin.organisations": ("GET", PLATFORM),
    "admin.organisation": ("GET", PLATFORM),
    "admin.new_organisation": ("GET", PLATFORM),
    "admin.users": ("GET", PLATFORM),
    "audit.events": ("GET", PLATFORM),
    "assistant.page": ("GET", SIGNED_IN),
    "assistant.ask": ("POST", SIGNED_IN),
    "assistant.feedback": ("POST", SIGNED_IN),
    "assistant.ask_expert": ("POST", SIGNED_IN),
    "assistant.guidelines": ("GET", SIGNED_IN),
    "assistant.reader": ("GET", SIGNED_IN),
    "guideline_admin.index": ("GET", PLATFORM),
    "guideline_admin.upload": ("POST", PLATFORM),
    "guideline_admin.replace": ("POST", PLATFORM),
    "guideline_admin.delete": ("POST", PLATFORM),
    "guideline_admin.start_rebuild": ("POST", PLATFORM),
    "guideline_admin.build_progress": ("GET", PLATFORM),
    "guideline_admin.questions": ("GET", {"platform_admin", "reviewer"}),
    "sites.index": ("GET", SUPPLIERS),
    "sites.new": ("GET", SUPPLIERS),
    "sites.edit": ("GET", SUPPLIERS),
    "reports.index": ("GET", SUPPLIERS),
    "reports.create": ("POST", SUPPLIERS),
    # Object routes open to the report's own supplier and the agency (submitted reports); which action each
    # may take on it is the workflow's transition table (tests/portal/reports).
    "reports.detail": ("GET", REPORT_READERS),
    "reports.edit_section": ("GET", REPORT_READERS),
    "reports.download_evidence": ("GET", REPORT_READERS),
    "reports.submit": ("POST", REPORT_READERS),
    "reports.correct": ("POST", REPORT_READERS),
    "reports.decide": ("POST", REPORT_READERS),
    "reports.attach_evidence": ("POST", SUPPLIERS | PLATFORM),
    "review.queue": ("GET", {"reviewer"}),
    "review.review_report": ("GET", {"reviewer"}),
    "factors.index": ("GET", PLATFORM),
    "report_excel.template": ("GET", SUPPLIERS),
    "report_excel.upload": ("POST", SUPPLIERS | PLATFORM),
    "report_excel.preview": ("GET", {"supplier_admin", "platform_admin"}),  # the uploader's own import only
    "report_excel.apply": ("POST", {"supplier_admin", "platform_admin"}),
    "report_excel.export": ("GET", REPORT_READERS),
    "assessment.index": ("GET", SUPPLIERS),
    "assessment.create": ("POST", SUPPLIERS),
    "assessment.fill": ("GET", SUPPLIERS | PLATFORM),
    "assessment.submit": ("POST", SUPPLIERS | PLATFORM),
    "assessment.scorecard": ("GET", SUPPLIERS | PLATFORM),
    "assessment.scorecard_pdf": ("GET", SUPPLIERS | PLATFORM),
    "assessment.scorecard_xlsx": ("GET", SUPPLIERS | PLATFORM),
    "assessment.share": ("POST", {"supplier_admin"}),
    "assessment.download_evidence": ("GET", SUPPLIERS | PLATFORM),
    # A draft assessment: nobody verifies it (the agency and buyers do not even see it).
    "verification.verify": ("GET", set()),
    "verification.received": ("GET", {"buyer", "reviewer"}),
    "benchmark_admin.index": ("GET", PLATFORM | {"buyer"}),
    "benchmark_admin.file_format": ("GET", PLATFORM | {"buyer"}),
    "benchmark_admin.upload": ("POST", PLATFORM | {"buyer"}),
    "benchmark_admin.export": ("GET", PLATFORM | {"buyer"}),
    "benchmark_admin.export_xlsx": ("GET", PLATFORM | {"buyer"}),
    "benchmark_admin.publish": ("POST", PLATFORM | {"buyer"}),
    "benchmark_admin.choose": ("POST", {"buyer"}),
    # Upgrade plans: the supplier's own; the agency and the authority read submitted ones (this one is a draft).
    "plans.index": ("GET", SUPPLIERS | {"reviewer", "authority"}),
    "plans.new": ("GET", SUPPLIERS),
    "plans.detail": ("GET", SUPPLIERS | PLATFORM),
    "plans.add_measure": ("POST", SUPPLIERS | PLATFORM),
    "plans.remove_measure": ("POST", SUPPLIERS | PLATFORM),
    "plans.add_milestone": ("POST", SUPPLIERS | PLATFORM),
    "plans.record_progress": ("POST", SUPPLIERS | PLATFORM),
    "plans.attach": ("POST", SUPPLIERS | PLATFORM),
    "plans.download": ("GET", SUPPLIERS | PLATFORM),
    "plans.act": ("POST", SUPPLIERS | PLATFORM),
    "plans.take_baseline": ("POST", SUPPLIERS | PLATFORM),
    "factors.add": ("POST", PLATFORM),
    "factors.withdraw": ("POST", PLATFORM),  # a shipped factor: refused with a message, nothing removed
    # External records: admins import; an organisation sees its own (the ids below are the role's own
    # organisation's); the authority and its agency see all and mark penalties rectified.
    "records.imports_page": ("GET", PLATFORM),
    "records.upload": ("POST", PLATFORM),
    "records.import_report": ("GET", PLATFORM),
    "records.apply_import": ("POST", PLATFORM),
    "records.organisation_records": ("GET", SIGNED_IN),
    "records.penalties": ("GET", {"reviewer", "authority", "platform_admin"}),
    "records.penalty": ("GET", SIGNED_IN),
    "records.explain": ("POST", SUPPLIERS),
    "records.mark_rectified": ("POST", {"reviewer", "authority"}),
    "records.download_evidence": ("GET", SIGNED_IN),
    # The public information platform: no login; a notice is opened with an application in its public notice (a
    # draft answers 404 to everyone, tested in tests/portal/public). Tips and objections: the authority and its agency.
    "public.index": ("GET", EVERYONE),
    "public.supplier": ("GET", EVERYONE),
    "public.notices": ("GET", EVERYONE),
    "public.notice": ("GET", EVERYONE),
    "public.file_objection": ("POST", EVERYONE),
    "public.feed": ("GET", EVERYONE),
    "public.published_csv": ("GET", EVERYONE),
    "public.new_tip": ("GET", EVERYONE),
    "tips.queue": ("GET", {"reviewer", "authority"}),
    "tips.decide": ("POST", {"reviewer", "authority"}),
    "objections.resolve": ("POST", {"authority"}),
    # Funding: suppliers check eligibility and apply; the application below is a draft, so only its supplier
    # (and platform admins) open it; expert and authority steps refuse everyone else on a draft.
    "funding.index": ("GET", SUPPLIERS),
    "funding.programme": ("GET", SUPPLIERS),
    "funding.apply": ("POST", SUPPLIERS),
    "funding.application": ("GET", SUPPLIERS | PLATFORM),
    "funding.attach": ("POST", SUPPLIERS | PLATFORM),
    "funding.download": ("GET", SUPPLIERS | PLATFORM),
    "funding.act": ("POST", SUPPLIERS | PLATFORM),
    "funding.assign_experts": ("POST", set()),
    "funding.declare": ("POST", set()),
    "funding.score": ("POST", set()),
    "funding.queue": ("GET", {"reviewer", "authority"}),
    # After the notice (the application is a draft: every step is refused by the service, 409/422, to those who see
    # it); the decision letter and the certificate do not exist for a draft.
    "funding_closing.record_agreement": ("POST", SUPPLIERS | PLATFORM),
    "funding_closing.agreement_file": ("GET", SUPPLIERS | PLATFORM),
    "funding_closing.disburse": ("POST", SUPPLIERS | PLATFORM),
    "funding_closing.attach_evidence": ("POST", SUPPLIERS | PLATFORM),
    "funding_closing.acceptance_file": ("GET", SUPPLIERS | PLATFORM),
    "funding_closing.start_acceptance": ("POST", SUPPLIERS | PLATFORM),
    "funding_closing.close": ("POST", SUPPLIERS | PLATFORM),
    "funding_closing.decision_letter": ("GET", set()),
    "funding_closing.acceptance_certificate": ("GET", set()),
    "funding_closing.queue_xlsx": ("GET", {"authority"}),
    # Trainings: the agency runs them, suppliers register (the training below is published; its materials and
    # calendar file open to whoever can open the training). On-site guidance: the supplier's own requests and the
    # agency.
    "capacity.trainings_index": ("GET", SUPPLIERS | {"reviewer"}),
    "capacity.new_training": ("GET", {"reviewer"}),
    "capacity.edit_training": ("GET", {"reviewer"}),
    "capacity.training": ("GET", SUPPLIERS | {"reviewer"}),
    "capacity.act_training": ("POST", {"reviewer"}),
    "capacity.register": ("POST", SUPPLIERS),
    "capacity.cancel_registration": ("POST", SUPPLIERS),
    "capacity.add_material": ("POST", {"reviewer"}),
    "capacity.remove_material": ("POST", {"reviewer"}),
    "capacity.material": ("GET", SUPPLIERS | {"reviewer"}),
    "capacity.attendees_xlsx": ("GET", {"reviewer"}),
    "capacity.record_attendance": ("POST", {"reviewer"}),
    "capacity.training_ics": ("GET", SUPPLIERS | {"reviewer"}),
    "capacity.guidance_requests": ("GET", SUPPLIERS | {"reviewer"}),
    "capacity.new_guidance_request": ("GET", {"supplier_admin"}),
    "capacity.guidance_request": ("GET", SUPPLIERS | {"reviewer", "platform_admin"}),
    "capacity.act_guidance_request": ("POST", SUPPLIERS | {"reviewer", "platform_admin"}),
    "capacity.start_plan": ("POST", SUPPLIERS | {"reviewer", "platform_admin"}),
    "chains.overview": ("GET", SUPPLIERS | {"buyer"}),
    # Buyers invite tier 1; the supplier admin here is a tier-1 supplier (see _objects_of) and invites tier 2.
    "chains.invite": ("POST", CHAIN_INVITERS),
    "chains.bulk_upload": ("GET", CHAIN_INVITERS),
    "chains.bulk_apply": ("POST", CHAIN_INVITERS),
    "chains.bulk_sent": ("GET", CHAIN_INVITERS),
    "chains.bulk_results": ("POST", CHAIN_INVITERS),
    "chains.bulk_template": ("GET", CHAIN_INVITERS),
    "chains.remind": ("POST", CHAIN_INVITERS),
    "chains.revoke": ("POST", CHAIN_INVITERS),
    "chains.accept": ("POST", {"supplier_admin"}),
    "chains.decline": ("POST", {"supplier_admin"}),
    "chains.join": ("GET", EVERYONE),
    "chain_sharing.page": ("GET", SUPPLIERS),
    "chain_sharing.save": ("POST", {"supplier_admin"}),
    "buyer_suppliers.index": ("GET", {"buyer"}),
    "buyer_suppliers.export": ("GET", {"buyer"}),
    "buyer_suppliers.supplier": ("GET", {"buyer"}),
    "funding_admin.index": ("GET", PLATFORM),
    "funding_admin.new": ("GET", PLATFORM),
    "funding_admin.edit": ("GET", PLATFORM),
    "calendar_admin.index": ("GET", PLATFORM),
    "calendar_admin.add": ("POST", PLATFORM),
    "calendar_admin.remove": ("POST", PLATFORM),
    # The programme dashboard: the authority, its technical agency and platform admins.
    "programme.index": ("GET", {"reviewer", "authority", "platform_admin"}),
    "programme.export_xlsx": ("GET", {"reviewer", "authority", "platform_admin"}),
    "programme.export_csv": ("GET", {"reviewer", "authority", "platform_admin"}),
    # The buyers' API: its page and OpenAPI document are public; a buyer's admins manage its tokens. The JSON
    # endpoints (BEARER_ROUTES) take a token, never a session: without one every role gets 401.
    "api.about": ("GET", EVERYONE),
    "api.openapi_document": ("GET", EVERYONE),
    "api.manage_tokens": ("GET", {"buyer"}),
    "api.create_token": ("POST", {"buyer"}),
    "api.revoke_token": ("POST", {"buyer"}),
    "api.list_suppliers": ("GET", set()),
    "api.get_supplier": ("GET", set()),
    "api.supplier_reports": ("GET", set()),
    "api.supplier_assessments": ("GET", set()),
    # Everyone signed in has notifications; one opens only one's own (the matrix gives each role one of its own).
    "notifications.index": ("GET", SIGNED_IN),
    "notifications.open_notification": ("GET", SIGNED_IN),
    "notifications.mark_all_read": ("POST", SIGNED_IN),
}
# Public pages of one published object: opened with the ids of _public_objects_of.
PUBLISHED_ROUTES = {"public.notice"}
# Programmes are published to every supplier: their ids are not an organisation's.
PROGRAMME_ROUTES = {"funding.programme", "funding.apply"}
# Trainings are the agency's, published to every supplier: their ids are not a supplier's (a draft one answers 404
# to suppliers on the pages they may open; the agency's own pages answer 403).
PROGRAMME_ROUTES |= {"capacity.edit_training", "capacity.act_training", "capacity.add_material",
                     "capacity.remove_material", "capacity.attendees_xlsx", "capacity.record_attendance"}
# Routes whose token is checked before anything else: a made-up token answers 410 Gone for everyone.
TOKEN_ROUTES = {"auth.reset_password", "orgs.accept_invitation", "chains.join"}
# Routes that authenticate by an API token in the Authorization header (portal.access.by_token): no redirect to
# the login page, and a signed-in session opens nothing: 401 with WWW-Authenticate for every role.
BEARER_ROUTES = {"api.list_suppliers", "api.get_supplier", "api.supplier_reports", "api.supplier_assessments"}


@pytest.fixture
def world(app, make):
    """One organisation per role, each with its own objects, plus a second supplier to be foreign."""
    supplier = make.org("supplier")
    orgs = {"supplier_admin": supplier, "supplier_staff": supplier, "buyer": make.org("buyer"),
            "reviewer": make.org("agency"), "authority": make.org("authority")}
    users = {"supplier_admin": make.user(supplier), "supplier_staff": make.user(supplier, role="staff"),
             "buyer": make.user(orgs["buyer"]), "reviewer": make.user(orgs["reviewer"]),
             "authority": make.user(orgs["authority"]), "platform_admin": make.user(None)}
    foreign = make.org("supplier")
    return {"orgs": orgs, "users": users, "foreign": foreign, "foreign_user": make.user(foreign)}


def _report_of(org, status, uploader):
    site = Site(organisation_id=org.id, name=f"site-{org.id}-{status}")
    report = AnnualReport(organisation_id=org.id, site=site, year=2024, status=status)
    if status == "accepted":
        report.versions.append(ReportVersion(number=1, data={}, decision="accepted"))
    evidence = Evidence(organisation_id=org.id, report=report, field_path="energy", filename="x.pdf",
                        content_type="application/pdf", size=1, sha256="0" * 64)
    pending = ReportImport(report=report, user_id=uploader.id, filename="x.xlsx", sha256="1" * 64, report_version=1)
    seed_programme_benchmark()
    assessment = Assessment(organisation_id=org.id, benchmark=db.session.scalars(db.select(Benchmark)).first(),
                            year=2026)
    plan = UpgradePlan(organisation_id=org.id, site=site, title="plan")
    plan.measures.append(PlanMeasure(kind="dust", description="x"))
    plan.milestones.append(PlanMilestone(title="m", due_date=date(2026, 1, 1), responsible="x"))
    plan_file = PlanFile(organisation_id=org.id, plan=plan, purpose="design", filename="x.pdf",
                         content_type="application/pdf", size=1, sha256="0" * 64)
    answer_file = AssessmentEvidence(organisation_id=org.id, assessment=assessment, question_id="Q1.1",
                                     filename="x.pdf", content_type="application/pdf", size=1, sha256="0" * 64)
    programme = FundingProgramme(name=f"programme-{org.id}", budget=1, opens_on=date(2026, 1, 1),
                                 closes_on=date(2026, 12, 31), notice_days=5)
    application = FundingApplication(organisation_id=org.id, programme=programme, plan=plan,
                                     project_type="replacement")
    application_file = ApplicationFile(organisation_id=org.id, application=application, material="m1",
                                       filename="x.pdf", content_type="application/pdf", size=1, sha256="0" * 64)
    agreement = Agreement(organisation_id=org.id, application=application, number="A-1",
                          signed_on=date(2026, 1, 1), filename="x.pdf", content_type="application/pdf", size=1,
                          sha256="0" * 64)
    acceptance_file = AcceptanceFile(organisation_id=org.id, application=application, filename="x.pdf",
                                     content_type="application/pdf", size=1, sha256="0" * 64)
    starts = datetime.now(UTC) + timedelta(days=30)
    training = Training(organiser_id=org.id, title="t", starts_at=starts, ends_at=starts + timedelta(hours=2),
                        mode="online", online_link="https://example.com", capacity=10,
                        registration_deadline=starts.date(), status="published" if status == "accepted" else "draft")
    registration = TrainingRegistration(organisation_id=org.id, training=training, attendees=["x"], seats=1)
    material = TrainingMaterial(training=training, filename="x.pdf", content_type="application/pdf", size=1,
                                sha256="0" * 64)
    guidance_request = GuidanceRequest(organisation_id=org.id, site=site, topic="noise", description="x")
    db.session.add_all([training, registration, material, guidance_request])
    db.session.add_all([site, report, evidence, pending, assessment, answer_file, plan, plan_file, programme,
                        application, application_file, agreement, acceptance_file])
    db.session.commit()
    stored = Path(current_app.config["UPLOAD_DIR"]) / "00" / ("0" * 64)
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(b"%PDF-1.4")
    return {"site_id": site.id, "report_id": report.id, "evidence_id": evidence.id, "section_key": "energy",
            "import_id": pending.id, "assessment_id": assessment.id, "benchmark_id": assessment.benchmark_id,
            "item_id": answer_file.id, "plan_id": plan.id, "measure_id": plan.measures[0].id,
            "milestone_id": plan.milestones[0].id, "plan_file_id": plan_file.id,
            "programme_id": programme.id, "application_id": application.id,
            "application_file_id": application_file.id, "agreement_id": agreement.id,
            "acceptance_file_id": acceptance_file.id, "training_id": training.id,
            "training_registration_id": registration.id, "training_material_id": material.id,
            "guidance_request_id": guidance_request.id}


def _objects_of(org, make):
    member = make.user(org, role="staff")
    invitation = Invitation(organisation_id=org.id, email=f"inv{org.id}@example.com", role="staff",
                            token_hash=f"{org.id:064d}", expires_at=member.created_at)
    join_request = JoinRequest(organisation_id=org.id, email=f"join{org.id}@example.com", name="x",
                               password_hash="x")
    message = AssistantMessage(user_id=member.id, organisation_id=org.id, question="q", answer="a", grounded=True,
                               mode="extractive", lang="zh")
    document = GuidelineFile(filename=f"doc-{org.id}.zh.md", size=1, sha256="0" * 64)
    build = IndexBuild(status="done")
    penalty = PenaltyRecord(credit_code=org.credit_code, decided_on=member.created_at.date(),
                            decision_number=f"TEST-{org.id}", violation="v", penalty="p", status="open")
    explanation = PenaltyExplanation(organisation_id=org.id, penalty=penalty, text="t")
    rectification = RectificationEvidence(organisation_id=org.id, explanation=explanation, filename="x.pdf",
                                          content_type="application/pdf", size=1, sha256="0" * 64)
    record_import = RecordImport(filename="x.csv", sha256="2" * 64)
    notification = Notification(user_id=member.id, kind="funding.status", params={}, link="/dashboard")
    api_token = ApiToken(organisation_id=org.id, name="x", token_hash=f"{org.id:064x}", prefix="gsc_x")
    # Supply chains: an invitation the organisation sent; a buyer's tier-1 supplier, a supplier's buyer.
    chain_invitation = ChainInvitation(buyer_organisation_id=org.id, inviting_organisation_id=org.id, tier=1,
                                       credit_code=org.credit_code, email=f"chain{org.id}@example.com",
                                       token_hash=f"{org.id:063d}c", expires_at=member.created_at)
    partner = make.org("supplier" if org.kind == "buyer" else "buyer")
    buyer, supplier = (org, partner) if org.kind == "buyer" else (partner, org)
    chain_link = ChainLink(buyer_organisation_id=buyer.id, supplier_organisation_id=supplier.id, tier=1)
    db.session.add_all([invitation, join_request, message, document, build, penalty, explanation, rectification,
                        record_import, api_token, notification, chain_invitation, chain_link])
    db.session.commit()
    return {"org_id": org.id, "user_id": member.id, "invitation_id": invitation.id,
            "request_id": join_request.id, "token": "not-a-real-token", "message_id": message.id,
            "file_id": document.id, "build_id": build.id, "doc_id": "hazardous-waste", "lang": "zh",
            "penalty_id": penalty.id, "evidence_file_id": rectification.id, "record_import_id": record_import.id,
            "api_token_id": api_token.id,
            "chain_invitation_id": chain_invitation.id, "supplier_org_id": supplier.id, "buyer_org_id": buyer.id,
            "notification_id": notification.id,
            "factor_id": db.session.scalars(db.select(EmissionFactorRecord.id)).first(),  # a shipped one
            "day": "2026-12-01"}


def _public_objects_of(org):
    """An application of `org` in its public notice with an objection, and a tip about `org`."""
    site = Site(organisation_id=org.id, name=f"site-public-{org.id}")
    plan = UpgradePlan(organisation_id=org.id, site=site, title="plan", status="completed")
    programme = FundingProgramme(name=f"programme-public-{org.id}", budget=1, opens_on=date(2026, 1, 1),
                                 closes_on=date(2026, 12, 31), notice_days=5)
    application = FundingApplication(organisation_id=org.id, programme=programme, plan=plan,
                                     project_type="replacement", status="public_notice", approved_amount=1,
                                     notice_starts_on=date(2026, 1, 5), notice_ends_on=date(2026, 1, 9))
    objection = Objection(application=application, name="x", contact="x", text="x")
    tip = Tip(organisation_id=org.id, text="x")
    db.session.add_all([site, plan, programme, application, objection, tip])
    db.session.commit()
    return {"published_application_id": application.id, "objection_id": objection.id, "tip_id": tip.id,
            "credit_code": org.credit_code}


def _url(app, endpoint, values):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), path)
    return path


def test_every_route_is_in_the_table(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint != "static"}
    assert endpoints == set(EXPECTED)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, make, world, role):
    client = app.test_client()
    if role != "anonymous":
        login(client, world["users"][role], PASSWORD)
    own_org = world["orgs"].get(role) or world["orgs"]["supplier_admin"]
    values = {**_objects_of(own_org, make), **_report_of(world["orgs"]["supplier_admin"], "accepted",
                                                                   world["users"]["supplier_admin"])}
    values.update(_public_objects_of(world["orgs"]["supplier_admin"]))
    if role != "anonymous":
        mine = Notification(user_id=world["users"][role].id, kind="funding.status", params={}, link="/dashboard")
        db.session.add(mine)
        db.session.commit()
        values["notification_id"] = mine.id
    problems = []
    for endpoint, (method, allowed) in sorted(EXPECTED.items()):
        if endpoint == "auth.logout":
            continue  # would end this role's session; covered in test_login
        path = _url(app, endpoint, {**values, "application_id": values["published_application_id"]}
                    if endpoint in PUBLISHED_ROUTES else values)
        if method == "POST" and role in allowed:
            continue  # allowed POSTs change state; their own tests cover them
        response = client.open(path, method=method, data={})
        status = response.status_code
        if endpoint in BEARER_ROUTES:
            ok = status == 401 and "WWW-Authenticate" in response.headers
        elif role in allowed:
            ok = status == 410 if endpoint in TOKEN_ROUTES else status in (200, 302)
            if endpoint == "orgs.register" and role != "anonymous":
                ok = status == 200
        elif role == "anonymous":
            ok = status == 302 and "/login" in response.headers["Location"]
        else:
            ok = status in (403, 404)
        if not ok:
            problems.append(f"{method} {path} ({endpoint}) as {role}: {status}")
    assert problems == [], "\n".join(problems)


def test_another_organisations_ids_answer_404(app, make, world):
    """Every route with an object id, opened by a supplier admin with the ids of another supplier."""
    client = app.test_client()
    login(client, world["users"]["supplier_admin"], PASSWORD)
    foreign = {**_objects_of(world["foreign"], make), **_report_of(world["foreign"], "draft", world["foreign_user"])}
    foreign.update(_public_objects_of(world["foreign"]))
    checked = 0
    for rule in app.url_map.iter_rules():
        # Admin pages work on platform-wide objects; everything else is scoped to an organisation or a user.
        if not any(arg.endswith("_id") and arg != "doc_id" for arg in rule.arguments) or \
                rule.endpoint.startswith(("admin.", "guideline_admin.", "benchmark_admin.", "funding_admin.",
                                          "factors.")) or \
                rule.endpoint in PROGRAMME_ROUTES:
            continue
        method = "POST" if "POST" in rule.methods and "GET" not in rule.methods else "GET"
        response = client.open(_url(app, rule.endpoint, foreign), method=method, data={})
        assert response.status_code == 404, f"{rule.endpoint}: {response.status_code}"
        checked += 1
    assert checked >= 8
