"""Suppliers assess themselves against a benchmark and see a transparent score and their gaps."""

from datetime import date
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.access import is_supplier, owned_or_404, requires
from portal.assessment import exports, scoring, services
from portal.assessment.models import Assessment
from portal.assistant.engine import AssistantUnavailable, get_assistant
from portal.errors import ServiceError
from portal.extensions import db
from portal.i18n import current_locale
from portal.locking import sent_version

bp = Blueprint("assessment", __name__)


@bp.get("/assessments")
@requires(is_supplier)
def index():
    assessments = db.session.scalars(select(Assessment).where(
        Assessment.organisation_id == current_user.organisation_id).order_by(Assessment.year.desc())).all()
    return render_template("assessment/index.html", assessments=assessments, benchmarks=services.published(),
                           default_year=date.today().year)


@bp.post("/assessments")
@requires(is_supplier)
def create():
    row = next((b for b in services.published() if str(b.id) == request.form.get("benchmark_id")), None)
    year = request.form.get("year", "")
    if row is None or not year.isdigit() or not 2000 <= int(year) <= 2100:
        flash(_("Choose a benchmark and a year such as 2025."), "error")
        return redirect(url_for("assessment.index"))
    try:
        assessment = services.start(current_user.organisation_id, row, int(year), actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("assessment.index"))
    return redirect(url_for("assessment.fill", assessment_id=assessment.id))


def _fill_page(assessment, answers, errors, status=200):
    questions = services.questionnaire(assessment.benchmark)
    # What the user typed, scored as it stands (an answer that does not read is left out of the score).
    card = services.scorecard(assessment, {qid: value for qid, value in answers.items() if qid not in errors})
    return render_template("assessment/fill.html", assessment=assessment, questions=questions, answers=answers,
                           errors=errors, card=card, locale=current_locale()), status


@bp.route("/assessments/<int:assessment_id>", methods=["GET", "POST"])
def fill(assessment_id):
    assessment = owned_or_404(Assessment, assessment_id)
    if request.method == "GET":
        return _fill_page(assessment, dict(assessment.answers or {}), {})
    questions = services.questionnaire(assessment.benchmark)
    answers, errors = services.read_answers(questions, request.form)
    if errors:
        return _fill_page(assessment, answers, errors, 422)
    try:
        services.save(assessment, answers, expected_version=sent_version(request.form.get("version")),
                      actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
        return _fill_page(assessment, answers, {}, 409)
    if request.form.get("then") == "scorecard":
        return redirect(url_for("assessment.scorecard", assessment_id=assessment.id))
    flash(_("Answers saved."), "success")
    return redirect(url_for("assessment.fill", assessment_id=assessment.id))


@bp.post("/assessments/<int:assessment_id>/submit")
def submit(assessment_id):
    assessment = owned_or_404(Assessment, assessment_id)
    try:
        services.submit(assessment, actor=current_user)
        db.session.commit()
        flash(_("Assessment submitted."), "success")
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
    return redirect(url_for("assessment.scorecard", assessment_id=assessment.id))


def _citations(queries: list[str]) -> dict[str, list]:
    """The guideline passages behind each question, from the assistant's retrieval (none when it is down)."""
    try:
        assistant = get_assistant()
    except AssistantUnavailable:
        return {}
    return {query: assistant.retriever.invoke(query)[:2] for query in queries if query}


@bp.get("/assessments/<int:assessment_id>/scorecard")
def scorecard(assessment_id):
    assessment = owned_or_404(Assessment, assessment_id)
    if assessment.benchmark is None:
        abort(404)
    questions = services.questionnaire(assessment.benchmark)
    card = services.scorecard(assessment)
    gaps = scoring.gaps(questions, card)
    citations = _citations(sorted({q.guidance for q in questions.questions()}))
    return render_template("assessment/scorecard.html", assessment=assessment, questions=questions, card=card,
                           gaps=gaps, citations=citations, locale=current_locale(),
                           bands={b.grade: b for b in questions.grade_bands})




@bp.get("/assessments/<int:assessment_id>/scorecard.pdf")
def scorecard_pdf(assessment_id):
    assessment = owned_or_404(Assessment, assessment_id)
    content = exports.scorecard_pdf(assessment, current_locale())
    return send_file(BytesIO(content), mimetype="application/pdf", as_attachment=True,
                     download_name=f"scorecard-{assessment.year}-{assessment.id}.pdf")


@bp.get("/assessments/<int:assessment_id>/scorecard.xlsx")
def scorecard_xlsx(assessment_id):
    assessment = owned_or_404(Assessment, assessment_id)
    labels = {"title": _("Scorecard"), "question": _("Question"), "text": _("Question"), "answer": _("Answer"),
              "points": _("Points"), "max": _("Maximum"), "lost": _("Points lost"), "effort": _("Effort"),
              "improve": _("What would earn them")}
    content = exports.scorecard_workbook(assessment, current_locale(), labels)
    return send_file(BytesIO(content), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     as_attachment=True, download_name=f"scorecard-{assessment.year}-{assessment.id}.xlsx")
