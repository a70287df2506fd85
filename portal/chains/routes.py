"""The supply chain page (tree, invitations sent and received), bulk invitations, and joining by e-mail link."""

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.access import is_buyer, is_org_admin, is_supplier, owned_or_404, public, require, requires
from portal.chains import bulk, invitations
from portal.chains.forms import BulkForm, InviteForm, whole_number
from portal.chains.links import buyers_of, tier1_links_of, tree
from portal.chains.models import ChainInvitation
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db, limiter
from portal.orgs import services as orgs_services
from portal.orgs.forms import ConfirmForm, RegistrationForm
from portal.orgs.models import OrgKind
from portal.pagination import paginate
from portal.records.reading import MAX_BYTES

bp = Blueprint("chains", __name__, url_prefix="/supply-chain")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SENT_BATCH = "chains_bulk_sent"  # session key: the last file this user sent
AT_THE_SAME_TIME = _l("Someone else invited one of these companies into this chain at the same moment; nothing was "
                      "sent. Check the list again.")


def _organisation_key() -> str:
    """Invitations send e-mail: they are limited per organisation, whoever of it sends them and from where."""
    return f"org:{current_user.organisation_id}"


def in_chains(user) -> bool:
    return is_buyer(user) or is_supplier(user)


def can_invite(user) -> bool:
    return is_org_admin(user) and bool(invitations.chains_to_invite_into(user.organisation))


def _chain_choices(form):
    chains = invitations.chains_to_invite_into(current_user.organisation)
    form.buyer_id.choices = [(org.id, org.name_zh) for org in chains]
    if form.buyer_id.data is None and len(chains) == 1:
        form.buyer_id.data = chains[0].id  # one chain to invite into: nothing to choose
    return {org.id: org for org in chains}


@bp.get("")
@requires(in_chains)
def overview(invite_form=None, status=200):
    org = current_user.organisation
    invite_form = invite_form or InviteForm()
    chains = _chain_choices(invite_form)
    if org.kind == OrgKind.BUYER:
        trees = [(org, tree(org.id))]
    else:
        trees = [(link.buyer, tree(link.buyer_organisation_id, under=org.id)) for link in tier1_links_of(org.id)]
    supplier = org.kind == OrgKind.SUPPLIER
    return render_template("chains/overview.html", org=org, trees=trees, chains=chains, invite_form=invite_form,
                           can_invite=can_invite(current_user), sent=paginate(invitations.sent(org)),
                           received=invitations.received(org) if supplier else [],
                           withdrawn=invitations.withdrawn_recently(org) if supplier else [],
                           buyers=buyers_of(org.id) if org.kind == OrgKind.SUPPLIER else [],
                           shown_status=invitations.shown_status, reminding_from=invitations.reminding_from,
                           now=utcnow(), confirm_form=ConfirmForm()), status


@bp.post("/invitations")
@requires(can_invite)
@limiter.limit("60 per hour", key_func=_organisation_key)
def invite():
    form = InviteForm()
    chains = _chain_choices(form)
    if form.validate():
        try:
            result = invitations.invite(current_user.organisation, chains[form.buyer_id.data], form.credit_code.data,
                                        form.email.data, actor=current_user)
        except ServiceError as err:
            db.session.rollback()
            err.apply_to(form)
        except IntegrityError:  # the same company invited into this chain at the same moment
            db.session.rollback()
            form.credit_code.errors = [*form.credit_code.errors, invitations.OUTCOMES["pending_other"]]
        else:
            if result.ok:
                db.session.commit()
                flash(_("%(code)s: %(result)s", code=result.credit_code, result=result.label), "success")
                return redirect(url_for("chains.overview"))
            db.session.rollback()
            form.credit_code.errors = [*form.credit_code.errors, result.label]
    return overview(invite_form=form, status=422)


@bp.route("/invitations/bulk", methods=["GET", "POST"])
@requires(can_invite)
@limiter.limit("30 per hour", methods=["POST"])
def bulk_upload():
    form = BulkForm()
    chains = _chain_choices(form)
    preview = None
    if form.validate_on_submit():
        upload = request.files.get("file")
        content = upload.read(MAX_BYTES + 1) if upload else b""
        preview = bulk.preview(current_user.organisation, chains[form.buyer_id.data], content)
    status = 422 if form.is_submitted() and (preview is None or preview.problems) else 200
    signed = bulk.sign(current_user.organisation, chains[form.buyer_id.data], preview) if preview else ""
    return render_template("chains/bulk.html", form=form, preview=preview, signed=signed,
                           confirm_form=ConfirmForm()), status


def _posted_rows() -> list[tuple[int, str, str, str]]:
    numbers, codes, emails, details = (request.form.getlist(name)
                                       for name in ("number", "credit_code", "email", "detail"))
    details += [""] * (len(numbers) - len(details))
    rows = []
    for number, code, email, detail in zip(numbers, codes, emails, details, strict=False):
        rows.append((whole_number(number) or 0, code[:60], email[:300], detail[:300]))
    return rows[:bulk.MAX_ROWS]


@bp.post("/invitations/bulk/apply")
@requires(can_invite)
@limiter.limit("5 per hour", key_func=_organisation_key)
def bulk_apply():
    """Sends the rows of a checked file: only those the check found valid (signed into the page), checked again."""
    form = BulkForm()
    chains = _chain_choices(form)
    if not ConfirmForm().validate() or request.form.get("buyer_id", type=int) not in chains:
        abort(400)
    buyer = chains[request.form.get("buyer_id", type=int)]
    file = bulk.signed_rows(request.form.get("rows", ""), current_user.organisation, buyer)
    if file is None:
        flash(_("This check of the file is too old or was changed. Upload the file again."), "error")
        return redirect(url_for("chains.bulk_upload"))
    try:
        batch, results = bulk.apply(current_user.organisation, buyer, file.rows, actor=current_user)
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("chains.bulk_upload"))
    except IntegrityError:
        db.session.rollback()
        flash(AT_THE_SAME_TIME, "error")
        return redirect(url_for("chains.bulk_upload"))
    db.session.commit()
    sent = sum(1 for r in results if r.ok)
    flash(_("%(count)d invitations sent.", count=sent), "success")
    session[SENT_BATCH] = bulk.sent_batch(current_user.organisation, buyer, batch, results, file)
    return redirect(url_for("chains.bulk_sent"), 303)  # reloading the result page sends nothing again


@bp.get("/invitations/bulk/sent")
@requires(can_invite)
def bulk_sent():
    """The result of the last file this user sent, for its organisation only."""
    batch = session.get(SENT_BATCH)
    chains = {org.id: org for org in invitations.chains_to_invite_into(current_user.organisation)}
    if not batch or batch.get("org") != current_user.organisation_id or batch.get("buyer") not in chains:
        return redirect(url_for("chains.bulk_upload"))
    buyer = chains[batch["buyer"]]
    results = bulk.batch_results(current_user.organisation, buyer, batch)
    return render_template("chains/bulk_done.html", results=results, buyer=buyer, confirm_form=ConfirmForm(),
                           sent=sum(1 for r in results if r.ok), not_sent=batch.get("not_sent_count", 0),
                           not_sent_listed=len(batch.get("not_sent", [])))


RESULT_HEADINGS = (_l("Row"), _l("Credit code"), _l("E-mail"), _l("Result"), _l("Detail"))


@bp.post("/invitations/bulk/results.xlsx")
@requires(can_invite)
def bulk_results():
    if not ConfirmForm().validate():
        abort(400)
    outcomes = request.form.getlist("outcome")
    rows = [invitations.RowResult(number or None, code, email, outcome if outcome in invitations.OUTCOMES
                                  else "invalid_code", detail)
            for (number, code, email, detail), outcome in zip(_posted_rows(), outcomes, strict=False)]
    content = bulk.results_bytes(rows, [str(h) for h in RESULT_HEADINGS])
    return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True, download_name="invitation-results.xlsx")


@bp.get("/invitations/template.xlsx")
@requires(can_invite)
def bulk_template():
    return send_file(io.BytesIO(bulk.template_bytes()), mimetype=XLSX, as_attachment=True,
                     download_name="supplier-invitations.xlsx")


def _sent_invitation(chain_invitation_id):
    invitation = owned_or_404(ChainInvitation, chain_invitation_id)
    if invitation.inviting_organisation_id != current_user.organisation_id:
        abort(404)
    return invitation


@bp.post("/invitations/<int:chain_invitation_id>/remind")
def remind(chain_invitation_id):
    invitation = _sent_invitation(chain_invitation_id)
    require(can_invite)
    return _act(lambda: invitations.remind(invitation, actor=current_user),
                _("Reminder sent to %(email)s.", email=invitation.email))


@bp.post("/invitations/<int:chain_invitation_id>/revoke")
def revoke(chain_invitation_id):
    invitation = _sent_invitation(chain_invitation_id)
    require(can_invite)
    return _act(lambda: invitations.revoke(invitation, actor=current_user), _("Invitation withdrawn."))


def _received_invitation(chain_invitation_id):
    invitation = owned_or_404(ChainInvitation, chain_invitation_id)
    if invitation.credit_code != current_user.organisation.credit_code:
        abort(404)
    return invitation


def can_answer(user) -> bool:
    return is_org_admin(user) and user.org_kind == OrgKind.SUPPLIER


@bp.post("/received/<int:chain_invitation_id>/accept")
@requires(can_answer)
def accept(chain_invitation_id):
    invitation = _received_invitation(chain_invitation_id)
    return _act(lambda: invitations.accept(invitation, current_user.organisation, actor=current_user),
                _("You joined the supply chain of %(buyer)s. It now sees your submitted self-assessments and accepted "
                  "annual data; change that on the Sharing page.", buyer=invitation.buyer.name_zh))


@bp.post("/received/<int:chain_invitation_id>/decline")
@requires(can_answer)
def decline(chain_invitation_id):
    invitation = _received_invitation(chain_invitation_id)
    return _act(lambda: invitations.decline(invitation, current_user.organisation, actor=current_user),
                _("Invitation declined."))


def _act(change, success):
    if not ConfirmForm().validate():
        abort(400)
    try:
        change()
        db.session.flush()
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
    except (IntegrityError, StaleDataError):  # answered (or withdrawn) twice at once: the first one stands
        db.session.rollback()
        flash(invitations.ANSWERED, "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for("chains.overview"))


@bp.route("/join/<token>", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def join(token):
    """A new company registers from the invitation e-mail and joins the chain in the same step."""
    try:
        invitation = invitations.open_by_token(token)
    except ServiceError as err:
        return render_template("auth/link_invalid.html", message=err.message), 410
    form = RegistrationForm()
    form.credit_code.data = invitation.credit_code  # the invitation is for this company only
    if not form.is_submitted():
        form.email.data = invitation.email
    existing = orgs_services.organisation_by_code(invitation.credit_code)
    if existing is None and form.validate_on_submit():
        try:
            user = orgs_services.register_supplier(invitation.credit_code, form.profile_data(),
                                                   person_name=form.person_name.data, email=form.email.data,
                                                   password=form.password.data)
            db.session.flush()
            invitations.accept(invitation, user.organisation, actor=user)
            db.session.commit()
        except ServiceError as err:
            db.session.rollback()
            err.apply_to(form)
        except IntegrityError:  # the same company, or the same e-mail, registered at the same moment
            db.session.rollback()
            form.form_errors.append(_("This company or this e-mail address was registered at the same moment. "
                                      "Sign in instead, or ask the company's admin to add you."))
        else:
            login_user(user)
            flash(_("Welcome! Your company is registered and has joined the supply chain of %(buyer)s. The buyer "
                    "sees your submitted self-assessments and accepted annual data; change that on the Sharing "
                    "page.", buyer=invitation.buyer.name_zh), "success")
            return redirect(url_for("chains.overview"))
    return render_template("chains/join.html", form=form, invitation=invitation, existing=existing), \
        422 if form.is_submitted() else 200
