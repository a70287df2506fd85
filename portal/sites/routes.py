from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import is_supplier, owned_or_404, require, requires
from portal.errors import ServiceError
from portal.extensions import db
from portal.locking import sent_version
from portal.sites import services
from portal.sites.forms import SITE_FIELDS, SiteForm
from portal.sites.models import Site

bp = Blueprint("sites", __name__)


def can_edit_site(user, site=None) -> bool:
    return is_supplier(user)


@bp.get("/sites")
@requires(is_supplier)
def index():
    return render_template("sites/index.html", sites=services.sites_of(current_user.organisation_id))


@bp.route("/sites/new", methods=["GET", "POST"])
@requires(is_supplier)
def new():
    form = SiteForm()
    if form.validate_on_submit():
        try:
            site = services.create_site(current_user.organisation_id, {k: getattr(form, k).data for k in SITE_FIELDS},
                                        actor=current_user)
            db.session.commit()
        except ServiceError as err:
            db.session.rollback()
            err.apply_to(form)
        else:
            flash(_("Site %(name)s added.", name=site.name), "success")
            return redirect(url_for("sites.index"))
    return render_template("sites/edit.html", form=form, site=None), 422 if form.is_submitted() else 200


@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
def edit(site_id):
    site = owned_or_404(Site, site_id)
    require(can_edit_site, site)
    form = SiteForm(obj=site)
    if not form.is_submitted():
        form.version_id.data = site.version_id
    elif form.validate():
        try:
            services.update_site(site, {k: getattr(form, k).data for k in SITE_FIELDS},
                                 expected_version=sent_version(form.version_id.data), actor=current_user)
            db.session.commit()
        except ServiceError as err:
            db.session.rollback()
            err.apply_to(form)
            return render_template("sites/edit.html", form=form, site=site), 409
        flash(_("Site saved."), "success")
        return redirect(url_for("sites.index"))
    return render_template("sites/edit.html", form=form, site=site), 422 if form.errors else 200
