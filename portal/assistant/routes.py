"""The assistant page, the guideline reader, and feedback on answers."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import owned_or_404
from portal.assistant import services
from portal.assistant.engine import AssistantUnavailable, get_assistant, llm_configured
from portal.assistant.forms import AskForm, ExpertForm, FeedbackForm
from portal.assistant.models import AssistantMessage
from portal.errors import ServiceError
from portal.extensions import db, limiter

bp = Blueprint("assistant", __name__)


def _page(form, status=200):
    try:
        suggestions = get_assistant().suggest(form.context.data or _("green supply chain programme"), n=4)
        available = True
    except AssistantUnavailable:
        suggestions, available = [], False
    return render_template("assistant/page.html", form=form, messages=services.conversation(current_user),
                           suggestions=suggestions, available=available, feedback_form=FeedbackForm(),
                           expert_form=ExpertForm()), status


@bp.get("/assistant")
def page():
    return _page(AskForm(context=request.args.get("context", "")))


def _user_key() -> str:
    return f"user:{current_user.get_id()}"


@bp.post("/assistant/ask")
@limiter.limit(lambda: "30 per hour", key_func=_user_key, exempt_when=lambda: not llm_configured())
def ask():
    form = AskForm()
    if not form.validate():
        return _page(form, 422)
    try:
        message = services.ask(current_user, form.question.data, context=form.context.data)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        err.apply_to(form)
        return _page(form, 422)
    except AssistantUnavailable:
        form.form_errors.append(_("The guideline index is not built yet. Please try again in a few minutes."))
        return _page(form, 503)
    return redirect(url_for("assistant.page", context=form.context.data or None, _anchor=f"m{message.id}"))


@bp.post("/assistant/messages/<int:message_id>/feedback")
def feedback(message_id):
    message = owned_or_404(AssistantMessage, message_id)
    form = FeedbackForm()
    if form.validate():
        try:
            services.rate(message, int(form.rating.data or 0), form.comment.data, actor=current_user)
            db.session.commit()
            flash(_("Thank you for the feedback."), "success")
        except (ServiceError, ValueError):
            db.session.rollback()
            flash(_("Choose helpful or not helpful."), "error")
    return redirect(url_for("assistant.page", _anchor=f"m{message.id}"))


@bp.post("/assistant/messages/<int:message_id>/expert")
def ask_expert(message_id):
    message = owned_or_404(AssistantMessage, message_id)
    form = ExpertForm()
    if form.validate():
        try:
            services.request_expert(message, form.note.data, actor=current_user)
            db.session.commit()
            flash(_("Your question has been passed to the technical agency's experts. They will contact you."),
                  "success")
        except ServiceError as err:
            db.session.rollback()
            flash(err.message, "info")
    return redirect(url_for("assistant.page", _anchor=f"m{message.id}"))


@bp.get("/guidelines")
def guidelines():
    try:
        documents = get_assistant().documents()
    except AssistantUnavailable:
        documents = []
    return render_template("assistant/guidelines.html", documents=documents)


@bp.get("/guidelines/<doc_id>/<lang>")
def reader(doc_id, lang):
    try:
        passages = get_assistant().document(doc_id, lang)
    except AssistantUnavailable:
        passages = []
    if not passages:
        abort(404)
    return render_template("assistant/reader.html", passages=passages, highlight=request.args.get("chunk"))
