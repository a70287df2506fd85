"""Suppliers assess themselves against a benchmark and see a transparent score and their gaps."""

from datetime import date
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import files
from portal.access import is_org_admin, is_platform_admin, is_supplier, owned_or_404, requires
from portal.assessment import evidence, exports, scoring, services, sharing, verification
from portal.assessment.models import Assessment, AssessmentEvidence
from portal.assistant.engine import AssistantUnavailable, get_assistant
from portal.charts import ChartWords, Series, data_table, line_chart
from portal.errors import ServiceError
from portal.extensions import db
from portal.i18n import current_locale
from portal.locking import sent_version

bp = Blueprint("assessment", __name__)


@bp.get("/assessments")
@requires(is_supplier)
def index():
    assessments = db.session.scalars(select(Assessment).where(
        Assessment.organisation_id == current_user.organisation_id).options(
        selectinload(Assessment.benchmark), selectinload(Assessment.verification), selectinload(Assessment.shares))
        .order_by(Assessment.year.desc())).all()
    return render_template("assessment/index.html", assessments=assessments, benchmarks=services.published(),
                           default_year=date.today().year, history=_history_chart(assessments),
                           locale=current_locale())


def _history_chart(assessments):
    """Self and verified scores across the years (the latest submitted assessment of each year): an SVG line
    chart and the table of its numbers, or None before there are two years to compare."""
    latest = {a.year: a for a in sorted(assessments, key=lambda a: a.id) if a.status == "submitted"}
    if len(latest) < 2:
        return None
    series = [Series(_("Self score"), [(year, a.score) for year, a in sorted(latest.items())]),
              Series(_("Verified score"), [(year, a.verification.score) for year, a in sorted(latest.items())
                                           if a.verification is not None and a.verification.status == "completed"])]
    words = ChartWords(year=_("Year"), not_reported=_("not verified"), no_data=_("No data reported"))
    title, unit = _("Assessment scores over the years"), _("points")
    return (line_chart(series, title=title, unit=unit, words=words),
            data_table(series, caption=title, unit=unit, words=words))


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


def _own(assessment_id: int) -> Assessment:
    """An assessment of the user's own organisation: buyers and the agency read others' but never change them."""
    assessment = owned_or_404(Assessment, assessment_id)
    if not is_platform_admin(current_user) and assessment.organisation_id != current_user.organisation_id:
        abort(404)
    return assessment


def _fill_page(assessment, answers, errors, status=200):
    questions = services.questionnaire(assessment.benchmark)
    # What the user typed, scored as it stands (an answer that does not read is left out of the score).
    card = services.scorecard(assessment, {qid: value for qid, value in answers.items() if qid not in errors})
    attached = evidence.by_question(assessment)
    return render_template("assessment/fill.html", assessment=assessment, questions=questions, answers=answers,
                           errors=errors, card=card, evidence=attached, locale=current_locale(),
                           missing_evidence=evidence.missing(questions, card, attached)), status


def _uploads(questions) -> dict[str, object]:
    """The evidence files chosen on the form, by question id."""
    chosen = {}
    for question in questions.questions():
        upload = request.files.get(f"evidence__{question.id}")
        if upload is not None and upload.filename:
            chosen[question.id] = upload
    return chosen


@bp.route("/assessments/<int:assessment_id>", methods=["GET", "POST"])
def fill(assessment_id):
    assessment = _own(assessment_id)
    if request.method == "GET":
        return _fill_page(assessment, dict(assessment.answers or {}), {})
    questions = services.questionnaire(assessment.benchmark)
    answers, errors = services.read_answers(questions, request.form)
    if errors:
        return _fill_page(assessment, answers, errors, 422)
    try:
        # Answers and chosen files are saved together or not at all.
        services.save(assessment, answers, expected_version=sent_version(request.form.get("version")),
                      actor=current_user)
        for question_id, upload in _uploads(questions).items():
            evidence.attach(assessment, question_id, upload.filename, upload.read(), actor=current_user)
        removed = request.form.get("remove_evidence", "")
        if removed.isdigit():
            evidence.remove(assessment, int(removed), actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        if err.field and err.field.startswith("q__"):
            message = _("%(problem)s Nothing was saved: choose the file again, or another one.", problem=err.message)
            return _fill_page(assessment, answers, {err.field.removeprefix("q__"): message}, 422)
        flash(err.message, "error")
        return _fill_page(assessment, answers, {}, 409)
    if request.form.get("then") == "scorecard":
        return redirect(url_for("assessment.scorecard", assessment_id=assessment.id))
    flash(_("Answers saved; the file was removed.") if removed.isdigit() else _("Answers saved."), "success")
    return redirect(url_for("assessment.fill", assessment_id=assessment.id))


@bp.post("/assessments/<int:assessment_id>/submit")
def submit(assessment_id):
    assessment = _own(assessment_id)
    try:
        services.submit(assessment, actor=current_user)
        db.session.commit()
        flash(_("Assessment submitted."), "success")
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
    return redirect(url_for("assessment.scorecard", assessment_id=assessment.id))


def _citations(queries: list[str]) -> dict[str, list]:
    """The guideline passages behind each question, in the reader's language where the guideline has it (none when
    the assistant is down, and none for a question the guidelines do not cover well enough to cite)."""
    try:
        assistant = get_assistant()
    except AssistantUnavailable:
        return {}
    return {query: assistant.sources(query, current_locale()) for query in queries if query}


@bp.get("/assessments/<int:assessment_id>/scorecard")
def scorecard(assessment_id):
    assessment = owned_or_404(Assessment, assessment_id)
    questions = services.questionnaire(assessment.benchmark)
    card = services.scorecard(assessment)
    citations = _citations(sorted({q.guidance for q in questions.questions()}))
    attached = evidence.by_question(assessment)
    own = assessment.organisation_id == current_user.organisation_id
    checked = assessment.verification
    # The supplier sees a verification once it is completed; the verifying organisation while it works on it.
    if checked and checked.status != "completed" and checked.organisation_id != current_user.organisation_id:
        checked = None
    verified = verification.verified_scorecard(assessment) if checked else None
    # Once verified, the gaps worth closing are those of the verified answers.
    gaps = scoring.gaps(questions, verified if checked and checked.status == "completed" else card)
    return render_template(
        "assessment/scorecard.html", assessment=assessment, questions=questions, card=card, gaps=gaps,
        citations=citations, locale=current_locale(), bands={b.grade: b for b in questions.grade_bands},
        evidence=attached, missing_evidence=evidence.missing(questions, card, attached), own=own,
        verification=checked, verified=verified,
        can_verify=verification.can_verify(current_user, assessment),
        buyers=sharing.candidate_buyers(assessment) if own and assessment.status == "submitted" else [],
        shared_with={share.buyer_organisation_id for share in assessment.shares},
        can_share=own and is_org_admin(current_user))


@bp.post("/assessments/<int:assessment_id>/sharing")
def share(assessment_id):
    assessment = _own(assessment_id)
    if not is_org_admin(current_user):
        abort(403)
    try:
        chosen = {int(value) for value in request.form.getlist("buyer") if value.isdigit()}
        added, removed = sharing.set_shares(assessment, chosen, actor=current_user)
        db.session.commit()
        flash(_("Sharing updated: %(added)d buyers added, %(removed)d withdrawn.", added=len(added),
                removed=len(removed)), "success")
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
    return redirect(url_for("assessment.scorecard", assessment_id=assessment.id, _anchor="sharing"))


@bp.get("/assessment-evidence/<int:item_id>")
def download_evidence(item_id):
    return files.send_stored(owned_or_404(AssessmentEvidence, item_id))


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
