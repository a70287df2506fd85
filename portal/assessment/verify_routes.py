"""Buyers and the technical agency receive submitted assessments and verify them answer by answer."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import is_org_member, owned_or_404, requires
from portal.assessment import evidence, services, sharing, verification
from portal.assessment.models import Assessment
from portal.errors import ServiceError
from portal.extensions import db
from portal.i18n import current_locale
from portal.locking import sent_version
from portal.orgs.models import OrgKind
from portal.pagination import paginate

bp = Blueprint("verification", __name__)


def is_verifier(user) -> bool:
    return is_org_member(user) and user.org_kind in (OrgKind.BUYER, OrgKind.AGENCY)


@bp.get("/assessments/received")
@requires(is_verifier)
def received():
    return render_template("assessment/received.html", page=paginate(sharing.received(current_user)),
                           locale=current_locale())


def _verify_page(assessment, decisions, errors, status=200):
    questions = services.questionnaire(assessment.benchmark)
    card = services.scorecard(assessment)
    attached = evidence.by_question(assessment)
    return render_template("assessment/verify.html", assessment=assessment, questions=questions, card=card,
                           decisions=decisions, errors=errors, evidence=attached, locale=current_locale(),
                           missing_evidence=set(evidence.missing(questions, card, attached))), status


@bp.route("/assessments/<int:assessment_id>/verify", methods=["GET", "POST"])
def verify(assessment_id):
    assessment = owned_or_404(Assessment, assessment_id)
    if not verification.can_verify(current_user, assessment):
        if assessment.verification is not None and assessment.verification.status == "completed":
            flash(_("This assessment has already been verified."), "info")
            return redirect(url_for("assessment.scorecard", assessment_id=assessment.id))
        abort(403)
    if request.method == "GET":
        started = assessment.verification
        return _verify_page(assessment, dict(started.decisions) if started else {}, {})
    decisions, errors = verification.read_decisions(assessment, request.form)
    if errors:
        return _verify_page(assessment, decisions, errors, 422)
    expected = sent_version(request.form.get("version"))
    try:
        if request.form.get("then") == "complete":
            checked = verification.complete(assessment, decisions, expected_version=expected, actor=current_user)
            db.session.commit()
            flash(_("Verification completed: verified score %(score)s, grade %(grade)s. The supplier has been told.",
                    score=checked.score, grade=checked.grade), "success")
            return redirect(url_for("assessment.scorecard", assessment_id=assessment.id))
        verification.save(assessment, decisions, expected_version=expected, actor=current_user)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
        return _verify_page(assessment, decisions, {}, 409)
    flash(_("Verification saved as a draft."), "success")
    return redirect(url_for("verification.verify", assessment_id=assessment.id))
