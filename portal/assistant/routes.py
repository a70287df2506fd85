"""The assistant page, the guideline reader, and feedback on answers."""

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
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
        # Suggestions follow the form section the user came from; the bare page has none to guess from.
        suggestions = get_assistant().suggest(form.context.data, n=4) if form.context.data else []
        available = True
    except AssistantUnavailable:
        suggestions, available = [], False
    return render_template("assistant/page.html", form=form, messages=services.conversation(current_user),
                           suggestions=suggestions, available=available, feedback_form=FeedbackForm(),
                           expert_form=ExpertForm(), streaming=llm_configured()), status


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
    if request.accept_mimetypes.best == STREAM_TYPE:
        return _stream_answer(form)
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


STREAM_TYPE = "application/x-ndjson"


def _stream_answer(form):
    """The answer as the model writes it, one JSON object per line: {"delta"} chunks, then {"done", "url"}
    with the page that shows the recorded answer and its citations (or {"error"})."""

    def events():
        try:
            for part in services.ask_streaming(current_user, form.question.data, context=form.context.data):
                if isinstance(part, AssistantMessage):
                    db.session.commit()
                    url = url_for("assistant.page", context=form.context.data or None, _anchor=f"m{part.id}")
                    yield json.dumps({"done": True, "url": url}) + "\n"
                else:
                    yield json.dumps({"delta": part}, ensure_ascii=False) + "\n"
        except (ServiceError, AssistantUnavailable) as err:
            db.session.rollback()
            yield json.dumps({"error": str(getattr(err, "message", err))}, ensure_ascii=False) + "\n"

    return Response(stream_with_context(events()), mimetype=STREAM_TYPE,
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


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
