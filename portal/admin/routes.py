"""Platform administration: organisations and accounts across the whole programme."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from portal.access import is_platform_admin, owned_or_404, requires
from portal.auth.models import User
from portal.errors import ServiceError
from portal.extensions import db
from portal.orgs import membership, services
from portal.orgs.forms import OrganisationAdminForm
from portal.orgs.models import MemberRole, Organisation
from portal.pagination import paginate

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/organisations")
@requires(is_platform_admin)
def organisations():
    query = (request.args.get("q") or "").strip()
    kind = request.args.get("kind") or ""
    stmt = select(Organisation).order_by(Organisation.name_zh)
    if query:
        like = f"%{query}%"
        stmt = stmt.where(or_(Organisation.name_zh.ilike(like), Organisation.name_en.ilike(like),
                              Organisation.credit_code.ilike(like)))
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    if request.args.get("legacy"):
        stmt = stmt.where(Organisation.credit_code_legacy.is_(True))
    return render_template("admin/organisations.html", page=paginate(stmt), q=query, kind=kind)


@bp.route("/organisations/new", methods=["GET", "POST"])
@requires(is_platform_admin)
def new_organisation():
    form = OrganisationAdminForm()
    if form.validate_on_submit():
        try:
            org = services.create_organisation(form.kind.data, form.credit_code.data, form.profile_data(),
                                               actor=current_user, legacy_code=form.credit_code_legacy.data)
            if form.first_admin_email.data:
                membership.invite_member(org, form.first_admin_email.data, MemberRole.ADMIN, actor=current_user)
            db.session.commit()
        except ServiceError as err:
            db.session.rollback()
            err.apply_to(form)
        else:
            flash(_("Organisation %(name)s created.", name=org.name_zh), "success")
            return redirect(url_for("orgs.profile", org_id=org.id))
    return render_template("admin/organisation_new.html", form=form), 422 if form.is_submitted() else 200


@bp.get("/users")
@requires(is_platform_admin)
def users():
    query = (request.args.get("q") or "").strip()
    stmt = select(User).order_by(User.email)
    if query:
        like = f"%{query}%"
        stmt = stmt.where(or_(User.email.ilike(like), User.name.ilike(like)))
    return render_template("admin/users.html", page=paginate(stmt), q=query)


@bp.get("/organisations/<int:org_id>")
@requires(is_platform_admin)
def organisation(org_id):
    return redirect(url_for("orgs.profile", org_id=owned_or_404(Organisation, org_id).id))
