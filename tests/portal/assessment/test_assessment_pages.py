import re

from portal.assessment.models import Assessment
from portal.assessment.services import questionnaire
from portal.extensions import db
from tests.conftest import login


def start(client, benchmark, year=2026):
    response = client.post("/assessments", data={"benchmark_id": benchmark.id, "year": year})
    assert response.status_code == 302
    return response.headers["Location"]


def all_answers(benchmark, value="yes"):
    answers = {}
    for question in questionnaire(benchmark).questions():
        if question.type == "yes_partly_no":
            answers[f"q__{question.id}"] = value
        elif question.type == "choice":
            answers[f"q__{question.id}"] = max(question.options, key=lambda o: o.points).value
        else:
            best = question.thresholds[0]
            answers[f"q__{question.id}"] = str(best.min if question.higher_is_better else best.max)
    return answers


def test_the_default_benchmark_has_40_to_60_questions_weighing_100(benchmark):
    questions = questionnaire(benchmark)
    assert 40 <= len(questions.questions()) <= 60
    assert sum(s.weight for s in questions.sections) == 100


def test_every_answer_shows_its_points_and_full_answers_score_100(supplier_client, benchmark):
    url = start(supplier_client, benchmark)
    supplier_client.post(url, data={**all_answers(benchmark), "version": 1})
    page = supplier_client.get(url + "/scorecard").get_data(as_text=True)
    assert re.search(r"<h1>[^<]*100(\.00)? / 100", page)


def test_lost_points_are_explained_and_ranked_with_guideline_links(supplier_client, benchmark):
    url = start(supplier_client, benchmark)
    supplier_client.post(url, data={**all_answers(benchmark, "no"), "version": 1})
    page = supplier_client.get(url + "/scorecard").get_data(as_text=True)
    gap_report = page[page.index('id="gaps-heading"'):page.index('id="points-heading"')]
    assert gap_report.count("<li>") >= 10
    assert "/guidelines/" in gap_report
    # Q5.1 (hazardous-waste codes) cites the section on the structure of a code, in the reader's language.
    assert "危险废物规范化管理指引 › 4 危险废物代码的结构" in gap_report
    supplier_client.post("/language", data={"locale": "en", "next": "/"})
    english = supplier_client.get(url + "/scorecard").get_data(as_text=True)
    assert "Hazardous Waste Management Guideline › 4 Structure of a hazardous waste code" in english
    assert "› 2 登录" not in page  # no weak match on a common word (Q6.1 once cited the portal's sign-in section)


def test_a_wrong_answer_keeps_what_was_chosen_and_says_why(supplier_client, benchmark):
    url = start(supplier_client, benchmark)
    number = next(q for q in questionnaire(benchmark).questions() if q.type == "number")
    response = supplier_client.post(url, data={f"q__{number.id}": "大约一半", "q__Q1.1": "yes", "version": 1})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="大约一半"' in html and "field-error" in html


def test_submission_needs_every_answer_and_then_freezes_the_score(supplier_client, benchmark):
    url = start(supplier_client, benchmark)
    supplier_client.post(url + "/submit")
    assessment = db.session.scalars(db.select(Assessment)).one()
    assert assessment.status == "draft"
    supplier_client.post(url, data={**all_answers(benchmark), "version": assessment.version_id})
    supplier_client.post(url + "/submit")
    db.session.refresh(assessment)
    assert (assessment.status, assessment.grade) == ("submitted", "A")
    assert supplier_client.post(url, data={"q__Q1.1": "no", "version": assessment.version_id}).status_code == 409


def test_next_year_starts_from_last_years_answers(supplier_client, benchmark):
    url = start(supplier_client, benchmark, 2025)
    supplier_client.post(url, data={**all_answers(benchmark, "partly"), "version": 1})
    start(supplier_client, benchmark, 2026)
    this_year = db.session.scalars(db.select(Assessment).where(Assessment.year == 2026)).one()
    assert this_year.answers.get("Q1.1") == "partly"


def test_another_organisations_assessment_is_not_found(app, make, supplier_client, benchmark):
    url = start(supplier_client, benchmark)
    other = app.test_client()
    login(other, make.user(make.org("supplier")))
    assert other.get(url).status_code == 404 and other.get(url + "/scorecard").status_code == 404


def test_the_scorecard_pdf_renders_chinese_headings_and_the_excel_lists_every_question(supplier_client, benchmark):
    import io

    from openpyxl import load_workbook
    from pypdf import PdfReader

    url = start(supplier_client, benchmark)
    supplier_client.post(url, data={**all_answers(benchmark, "partly"), "version": 1})
    pdf = supplier_client.get(url + "/scorecard.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "评分卡" in text and "差距报告" in text and "各题得分" in text
    workbook = load_workbook(io.BytesIO(supplier_client.get(url + "/scorecard.xlsx").data))
    ids = [row[0].value for row in workbook["scorecard"].iter_rows(min_row=3)]
    assert ids == [q.id for q in questionnaire(benchmark).questions()]
