"""Admins keep benchmarks: import a YAML file as a draft (every problem listed, nothing changed when there is
one), export any version, publish a draft (then it is frozen: assessments keep the version they used)."""

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import SubmitField

from portal.access import is_platform_admin, requires
from portal.assessment import benchmark as spec
from portal.assessment.models import Benchmark
from portal.assessment.services import questionnaire
from portal.audit.services import record_event
from portal.database import utcnow
from portal.extensions import db
from portal.orgs.forms import ConfirmForm

bp = Blueprint("benchmark_admin", __name__, url_prefix="/admin/benchmarks")
MAX_YAML_BYTES = 1024 * 1024


class BenchmarkUploadForm(FlaskForm):
    file = FileField(_l("Benchmark file (YAML)"), validators=[FileRequired(message=_l("Choose a file to upload."))])
    submit = SubmitField(_l("Import as a draft"))


def _page(form, problems=(), status=200):
    rows = db.session.scalars(select(Benchmark).order_by(Benchmark.key, Benchmark.version.desc())).all()
    return render_template("assessment/admin_benchmarks.html", benchmarks=rows, form=form, problems=problems,
                           confirm_form=ConfirmForm()), status


@bp.get("")
@requires(is_platform_admin)
def index():
    return _page(BenchmarkUploadForm())


@bp.post("")
@requires(is_platform_admin)
def upload():
    form = BenchmarkUploadForm()
    if not form.validate():
        return _page(form, status=422)
    content = form.file.data.read(MAX_YAML_BYTES + 1)
    if len(content) > MAX_YAML_BYTES:
        return _page(form, [spec.Problem("", _l("The file is larger than 1 MB."))], 422)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return _page(form, [spec.Problem("", _l("Text documents must be saved as UTF-8."))], 422)
    parsed, problems = spec.load_yaml(text)
    if parsed is not None and db.session.scalars(select(Benchmark).where(
            Benchmark.key == parsed.id, Benchmark.version == parsed.version)).first():
        problems = [spec.Problem("version", _l("Version %(version)s of “%(id)s” exists already; give the file a "
                                               "higher version.", version=parsed.version, id=parsed.id))]
    if problems:
        return _page(form, problems, 422)
    row = Benchmark(key=parsed.id, version=parsed.version, status="draft", title_zh=parsed.title_zh,
                    title_en=parsed.title_en, definition=parsed.to_dict(), created_by_id=current_user.id)
    db.session.add(row)
    record_event("benchmark.imported", row, actor=current_user,
                 summary={"key": parsed.id, "version": parsed.version, "questions": len(parsed.questions())})
    db.session.commit()
    flash(_("Imported as a draft. Check it, then publish it."), "success")
    return redirect(url_for("benchmark_admin.index"))


@bp.get("/<int:benchmark_id>.yaml")
@requires(is_platform_admin)
def export(benchmark_id):
    row = db.get_or_404(Benchmark, benchmark_id)
    return Response(spec.dump_yaml(questionnaire(row)), mimetype="application/x-yaml",
                    headers={"Content-Disposition": f"attachment; filename={row.key}-v{row.version}.yaml"})


@bp.post("/<int:benchmark_id>/publish")
@requires(is_platform_admin)
def publish(benchmark_id):
    row = db.get_or_404(Benchmark, benchmark_id)
    if ConfirmForm().validate() and row.status == "draft":
        row.status, row.published_at = "published", utcnow()
        record_event("benchmark.published", row, actor=current_user, summary={"key": row.key, "version": row.version})
        db.session.commit()
        flash(_("Published. This version is now frozen; suppliers can assess against it."), "success")
    return redirect(url_for("benchmark_admin.index"))
