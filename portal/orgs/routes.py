from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from portal.access import can_edit_profile, can_manage_members, owned_or_404, public, require
from portal.auth.models import User
from portal.errors import ServiceError
from portal.extensions import db, limiter
from portal.locking import sent_version
from portal.orgs import membership, services
from portal.orgs.forms import (
    AcceptInvitationForm,
    ConfirmForm,
    InviteForm,
    MemberRoleForm,
    ProfileForm,
    RegistrationForm,
)
from portal.orgs.models import Invitation, JoinRequest, Organisation

bp = Blueprint("orgs", __name__)


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def register():
    form = RegistrationForm()
    existing = None
    if form.validate_on_submit():
        try:
            if form.join.data:
                existing = services.organisation_by_code(form.credit_code.data) or abort(404)
                membership.request_to_join(existing, name=form.person_name.data, email=form.email.data,
                                           password=form.password.data)
                db.session.commit()
                flash(_("Your request to join %(name)s has been sent to its organisation admin. You will get an "
                        "e-mail when it is decided.", name=existing.name_zh), "success")
                return redirect(url_for("auth.login"))
            user = services.register_supplier(form.credit_code.data, form.profile_data(),
                                              person_name=form.person_name.data, email=form.email.data,
                                              password=form.password.data)
            db.session.commit()
        except ServiceError as err:
            db.session.rollback()
            err.apply_to(form)
            if err.code == "exists":
                existing = services.organisation_by_code(form.credit_code.data)
        else:
            login_user(user)
            flash(_("Welcome! Your organisation is registered and you are its admin."), "success")
            return redirect(url_for("dashboard.home"))
    status = 422 if form.is_submitted() else 200
    return render_template("orgs/register.html", form=form, existing=existing), status


@bp.get("/organisations/<int:org_id>")
def profile(org_id):
    org = owned_or_404(Organisation, org_id)
    return render_template("orgs/profile.html", org=org, can_edit=can_edit_profile(current_user, org))


@bp.route("/organisations/<int:org_id>/edit", methods=["GET", "POST"])
def edit_profile(org_id):
    org = owned_or_404(Organisation, org_id)
    require(can_edit_profile, org)
    form = ProfileForm(obj=org)
    if not form.is_submitted():
        form.version_id.data = org.version_id
    elif form.validate():
        try:
            services.update_profile(org, form.profile_data(),
                                    expected_version=sent_version(form.version_id.data),
                                    actor=current_user)
            db.session.commit()
        except ServiceError as err:
            db.session.rollback()
            err.apply_to(form)
            form.version_id.data = org.version_id
            return render_template("orgs/edit.html", org=org, form=form, conflict=True), 409
        flash(_("Profile saved."), "success")
        return redirect(url_for("orgs.profile", org_id=org.id))
    return render_template("orgs/edit.html", org=org, form=form, conflict=False), 422 if form.errors else 200


@bp.get("/organisations/<int:org_id>/members")
def members(org_id):
    org = owned_or_404(Organisation, org_id)
    return _members_page(org, InviteForm())


def _members_page(org, invite_form, status=200):
    manage = can_manage_members(current_user, org)
    pending = [jr for jr in org_join_requests(org) if jr.status == "pending"] if manage else []
    invitations = org_invitations(org) if manage else []
    return render_template("orgs/members.html", org=org, members=sorted(org.members, key=lambda u: u.name),
                           manage=manage, invite_form=invite_form, role_form=MemberRoleForm(),
                           confirm_form=ConfirmForm(), join_requests=pending, invitations=invitations), status


def org_join_requests(org):
    return db.session.scalars(db.select(JoinRequest).where(JoinRequest.organisation_id == org.id)
                              .order_by(JoinRequest.created_at)).all()


def org_invitations(org):
    return db.session.scalars(db.select(Invitation).where(
        Invitation.organisation_id == org.id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc())).all()


@bp.post("/organisations/<int:org_id>/invitations")
def invite(org_id):
    org = owned_or_404(Organisation, org_id)
    require(can_manage_members, org)
    form = InviteForm()
    if form.validate():
        try:
            membership.invite_member(org, form.email.data, form.role.data, actor=current_user)
            db.session.commit()
        except ServiceError as err:
            db.session.rollback()
            err.apply_to(form)
        else:
            flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("orgs.members", org_id=org.id))
    return _members_page(org, form, status=422)


@bp.post("/organisations/<int:org_id>/invitations/<int:invitation_id>/revoke")
def revoke_invitation(org_id, invitation_id):
    org = owned_or_404(Organisation, org_id)
    require(can_manage_members, org)
    invitation = owned_or_404(Invitation, invitation_id, within=org)
    if ConfirmForm().validate():
        membership.revoke_invitation(invitation, actor=current_user)
        db.session.commit()
        flash(_("Invitation withdrawn."), "info")
    return redirect(url_for("orgs.members", org_id=org.id))


def _member_action(org_id, user_id, action):
    org = owned_or_404(Organisation, org_id)
    require(can_manage_members, org)
    member = owned_or_404(User, user_id, within=org)
    try:
        action(member)
        db.session.commit()
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
    return redirect(url_for("orgs.members", org_id=org.id))


@bp.post("/organisations/<int:org_id>/members/<int:user_id>/role")
def change_role(org_id, user_id):
    form = MemberRoleForm()

    def action(member):
        if form.validate():
            membership.change_role(member, form.role.data, actor=current_user)
            flash(_("Role of %(name)s changed.", name=member.name), "success")

    return _member_action(org_id, user_id, action)


@bp.post("/organisations/<int:org_id>/members/<int:user_id>/active")
def set_active(org_id, user_id):
    activate = request.form.get("active") == "1"

    def action(member):
        if ConfirmForm().validate():
            membership.set_active(member, activate, actor=current_user)
            flash(_("%(name)s can sign in again.", name=member.name) if activate
                  else _("%(name)s has been deactivated and signed out.", name=member.name), "success")

    return _member_action(org_id, user_id, action)


@bp.post("/organisations/<int:org_id>/join-requests/<int:request_id>")
def decide_join_request(org_id, request_id):
    org = owned_or_404(Organisation, org_id)
    require(can_manage_members, org)
    join_request = owned_or_404(JoinRequest, request_id, within=org)
    if ConfirmForm().validate():
        approve = request.form.get("decision") == "approve"
        try:
            membership.decide_join_request(join_request, approve, actor=current_user)
            db.session.commit()
        except ServiceError as err:
            db.session.rollback()
            flash(err.message, "error")
        else:
            flash(_("%(email)s has joined as staff.", email=join_request.email) if approve
                  else _("The request from %(email)s was declined.", email=join_request.email), "info")
    return redirect(url_for("orgs.members", org_id=org.id))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token):
    try:
        invitation = membership.open_invitation(token)
    except ServiceError as err:
        return render_template("auth/link_invalid.html", message=err.message), 410
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = membership.accept_invitation(token, name=form.name.data, password=form.password.data)
            db.session.commit()
        except ServiceError as err:
            db.session.rollback()
            err.apply_to(form)
        else:
            login_user(user)
            flash(_("Welcome to %(name)s.", name=invitation.organisation.name_zh), "success")
            return redirect(url_for("dashboard.home"))
    return render_template("orgs/accept_invitation.html", form=form, invitation=invitation), \
        422 if form.is_submitted() else 200
