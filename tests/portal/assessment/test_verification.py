"""Evidence per answer, sharing with buyers by consent, verification by a buyer or the agency, history."""

import io

import pytest
from pypdf import PdfReader

from portal.assessment.models import Assessment, AssessmentEvidence, AssessmentShare, Verification
from portal.assessment.scoring import question_maxima
from portal.assessment.services import questionnaire
from portal.extensions import db
from tests.conftest import login
from tests.portal.assessment.test_assessment_pages import all_answers, start

PDF = b"%PDF-1.4\n% evidence\n"


@pytest.fixture
def people(app, make, benchmark):
    supplier = make.org("supplier")
    buyer, other_buyer, agency = make.org("buyer"), make.org("buyer"), make.org("agency")

    def client_for(user):
        client = app.test_client()
        login(client, user)
        return client

    supplier_admin = make.user(supplier)
    return {"supplier": client_for(supplier_admin), "staff": client_for(make.user(supplier, role="staff")),
            "buyer": client_for(make.user(buyer)), "other_buyer": client_for(make.user(other_buyer)),
            "agency": client_for(make.user(agency)), "buyer_org": buyer, "other_buyer_org": other_buyer,
            "supplier_admin": supplier_admin}


def submitted(client, benchmark, year=2026, value="yes"):
    url = start(client, benchmark, year)
    client.post(url, data={**all_answers(benchmark, value), "version": 1})
    assert client.post(url + "/submit").status_code == 302
    assessment = db.session.scalars(db.select(Assessment).where(Assessment.year == year)).one()
    assert assessment.status == "submitted"
    return url, assessment


def test_evidence_is_attached_with_the_answers_and_served_only_to_those_allowed(people, benchmark):
    supplier = people["supplier"]
    url = start(supplier, benchmark)
    response = supplier.post(url, data={**all_answers(benchmark), "version": 1,
                                        "evidence__Q1.1": (io.BytesIO(PDF), "iso14001.pdf")},
                             content_type="multipart/form-data")
    assert response.status_code == 302
    item = db.session.scalars(db.select(AssessmentEvidence)).one()
    assert (item.question_id, item.filename, item.content_type) == ("Q1.1", "iso14001.pdf", "application/pdf")
    page = supplier.get(url).get_data(as_text=True)
    assert "iso14001.pdf" in page
    # Enter in a field submits with the form's first button: that must save, never remove a file.
    form = page[page.index('enctype="multipart/form-data"'):]
    first_button = form[form.index('<button type="submit"'):].split(">", 1)[0]
    assert "remove_evidence" not in first_button
    download = supplier.get(f"/assessment-evidence/{item.id}")
    assert download.status_code == 200 and download.data == PDF
    # A buyer sees nothing before the supplier shares the submitted assessment with it.
    assert people["buyer"].get(f"/assessment-evidence/{item.id}").status_code == 404
    # A wrong file comes off the draft with the next save, answers and all in one go.
    assessment = db.session.scalars(db.select(Assessment)).one()
    supplier.post(url, data={**all_answers(benchmark), "q__Q1.1": "partly", "version": assessment.version_id,
                             "remove_evidence": item.id})
    db.session.refresh(assessment)
    assert assessment.answers["Q1.1"] == "partly"
    assert db.session.scalar(db.select(db.func.count()).select_from(AssessmentEvidence)) == 0


def test_a_file_that_is_not_evidence_keeps_the_answers_and_says_so_beside_the_question(people, benchmark):
    supplier = people["supplier"]
    url = start(supplier, benchmark)
    response = supplier.post(url, data={"q__Q1.1": "partly", "version": 1,
                                        "evidence__Q1.1": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "cert.pdf")},
                             content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = html[html.index('id="q__Q1.1-error"'):]
    assert "PDF" in error[:error.index("</small>")]
    assert '<option value="partly" selected>' in html
    # Said at the top as well, with a link down to the question; the score shown is of the unsaved answers.
    summary = html[html.index('id="not-saved"'):]
    assert summary.index('href="#Q1.1"') < summary.index("</div>") and "未保存" in html[:html.index('id="not-saved"')]
    assessment = db.session.scalars(db.select(Assessment)).one()
    assert "Q1.1" not in (assessment.answers or {}) and db.session.scalar(
        db.select(db.func.count()).select_from(AssessmentEvidence)) == 0


def test_not_a_number_is_refused_beside_the_question(people, benchmark):
    number = next(q for q in questionnaire(benchmark).questions() if q.type == "number")
    url = start(people["supplier"], benchmark)
    for typed in ("NaN", "Infinity"):
        response = people["supplier"].post(url, data={f"q__{number.id}": typed, "version": 1})
        assert response.status_code == 422 and f'value="{typed}"' in response.get_data(as_text=True)
    assert people["supplier"].get(url).status_code == 200


def test_answers_that_claim_points_without_required_evidence_are_listed(people, benchmark):
    supplier = people["supplier"]
    url = start(supplier, benchmark)
    supplier.post(url, data={**all_answers(benchmark), "version": 1})
    required = [q.id for q in questionnaire(benchmark).questions() if q.evidence == "required"]
    html = supplier.get(url).get_data(as_text=True)
    section = html[html.index('id="missing-heading"'):html.index("</section>", html.index('id="missing-heading"'))]
    assert section.count('<a href="#') == len(required)


def test_the_supplier_shares_with_chosen_buyers_and_can_withdraw(people, benchmark):
    url, _assessment = submitted(people["supplier"], benchmark)
    buyer_id = people["buyer_org"].id
    page = people["supplier"].get(url + "/scorecard").get_data(as_text=True)
    assert f'name="buyer" value="{buyer_id}"' in page
    assert people["buyer"].get(url + "/scorecard").status_code == 404
    assert people["staff"].post(url + "/sharing", data={"buyer": buyer_id}).status_code == 403
    people["supplier"].post(url + "/sharing", data={"buyer": buyer_id})
    assert people["buyer"].get(url + "/scorecard").status_code == 200
    assert "/scorecard" in people["buyer"].get("/assessments/received").get_data(as_text=True)
    assert people["other_buyer"].get(url + "/scorecard").status_code == 404
    people["supplier"].post(url + "/sharing", data={})
    assert people["buyer"].get(url + "/scorecard").status_code == 404


def test_a_buyer_using_another_questionnaire_cannot_be_shared_with(people, benchmark, make):
    url, _assessment = submitted(people["supplier"], benchmark)
    elsewhere = make.org("buyer", benchmark_key="someone-elses")
    page = people["supplier"].get(url + "/scorecard").get_data(as_text=True)
    assert f'value="{elsewhere.id}"' not in page
    people["supplier"].post(url + "/sharing", data={"buyer": elsewhere.id})
    assert db.session.scalar(db.select(db.func.count()).select_from(AssessmentShare)) == 0


def verify(client, url, adjust=(), comment="证书已过期", then=None, version=""):
    data = {"version": version}
    for question_id in adjust:
        data.update({f"decision__{question_id}": "adjust", f"answer__{question_id}": "no",
                     f"comment__{question_id}": comment})
    if then:
        data["then"] = then
    return client.post(url + "/verify", data=data)


def test_the_agency_adjusts_an_answer_and_the_supplier_sees_both_scores(people, benchmark, outbox):
    url, _assessment = submitted(people["supplier"], benchmark)
    assert people["supplier"].get(url + "/verify").status_code == 403  # nobody verifies their own
    assert "/assessments/received" in people["agency"].get("/dashboard").get_data(as_text=True)  # what's next
    assert people["agency"].get(url + "/verify").status_code == 200
    no_comment = verify(people["agency"], url, adjust=["Q1.1"], comment="")
    assert no_comment.status_code == 422
    html = no_comment.get_data(as_text=True)
    assert 'id="error__Q1.1"' in html and 'value="adjust" checked' in html
    assert verify(people["agency"], url, adjust=["Q1.1"]).status_code == 302
    # Still in progress: the supplier does not see it yet.
    assert "verified-heading" not in people["supplier"].get(url + "/scorecard").get_data(as_text=True)
    checked = db.session.scalars(db.select(Verification)).one()
    assert verify(people["agency"], url, adjust=["Q1.1"], then="complete",
                  version=checked.version_id).status_code == 302
    db.session.refresh(checked)
    # By hand: every answer earned full points (100); Q1.1 adjusted from yes to no loses its whole share.
    q11 = question_maxima(questionnaire(benchmark))["Q1.1"]
    assert checked.status == "completed"
    assert checked.score == (100 - q11).quantize(checked.score)
    page = people["supplier"].get(url + "/scorecard").get_data(as_text=True)
    assert "verified-heading" in page and "证书已过期" in page
    assert any(to == people["supplier_admin"].email for to, _subject, _body in outbox())
    # Frozen: opening the form again leads back to the scorecard.
    assert people["agency"].get(url + "/verify").status_code == 302
    pdf = PdfReader(io.BytesIO(people["supplier"].get(url + "/scorecard.pdf").data))
    assert "核查得分" in pdf.pages[0].extract_text()


def test_a_stale_verification_form_gets_a_conflict_and_keeps_the_decisions(people, benchmark):
    url, _assessment = submitted(people["supplier"], benchmark)
    verify(people["agency"], url, adjust=["Q1.1"])  # starts it: version 1
    assert verify(people["agency"], url, adjust=["Q1.3"], version="1").status_code == 302  # a colleague saves
    stale = verify(people["agency"], url, adjust=["Q1.4"], comment="另一位同事的意见", version="1")
    assert stale.status_code == 409 and "另一位同事的意见" in stale.get_data(as_text=True)


def test_a_second_verifier_who_opened_the_form_before_the_first_saved_gets_a_conflict(people, benchmark):
    url, _assessment = submitted(people["supplier"], benchmark)
    assert verify(people["agency"], url, adjust=["Q1.1"]).status_code == 302  # starts it from an empty form
    late = verify(people["agency"], url, adjust=["Q1.3"], comment="同事的另一条意见")  # also from an empty form
    assert late.status_code == 409 and "同事的另一条意见" in late.get_data(as_text=True)
    assert db.session.scalars(db.select(Verification)).one().decisions["Q1.1"]["decision"] == "adjust"


def test_withdrawing_from_a_buyer_that_started_verifying_frees_the_assessment(people, benchmark):
    url, _assessment = submitted(people["supplier"], benchmark)
    people["supplier"].post(url + "/sharing", data={"buyer": people["buyer_org"].id})
    verify(people["buyer"], url, adjust=["Q1.1"])
    people["supplier"].post(url + "/sharing", data={})
    assert people["buyer"].get(url + "/verify").status_code == 404
    assert db.session.scalar(db.select(db.func.count()).select_from(Verification)) == 0
    assert people["agency"].get(url + "/verify").status_code == 200


def test_only_a_buyer_it_was_shared_with_may_verify(people, benchmark):
    url, _assessment = submitted(people["supplier"], benchmark)
    assert people["buyer"].get(url + "/verify").status_code == 404
    people["supplier"].post(url + "/sharing", data={"buyer": people["buyer_org"].id})
    assert people["buyer"].get(url + "/verify").status_code == 200
    # Once the buyer has started, the agency reads but does not take over.
    verify(people["buyer"], url, adjust=["Q1.1"])
    assert people["agency"].get(url + "/verify").status_code == 403


def test_history_shows_self_and_verified_scores_across_years(people, benchmark):
    submitted(people["supplier"], benchmark, 2025, "partly")
    url, _assessment = submitted(people["supplier"], benchmark, 2026)
    verify(people["agency"], url, then="complete")
    page = people["supplier"].get("/assessments").get_data(as_text=True)
    history = page[page.index('id="history-heading"'):]
    assert "<svg" in history and "2025" in history and "2026" in history
    assert history.count("100") >= 2  # the 2026 self and verified scores in the table behind the chart
