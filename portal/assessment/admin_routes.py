"""Benchmarks are kept by platform admins (the programme's) and by buyers' admins (their own): import a YAML or
Excel file as a draft (every problem listed, nothing changed when there is one), export any version, publish a
draft (then it is frozen: assessments keep the version they used). A buyer also chooses which questionnaire its
suppliers answer."""

import dataclasses
from pathlib import Path

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import or_, select
from wtforms import SubmitField

from portal.access import is_buyer_admin, is_platform_admin, requires
from portal.assessment import benchmark as spec
from portal.assessment import benchmark_excel
from portal.assessment.models import Benchmark
from portal.assessment.services import questionnaire
from portal.audit.services import record_event
from portal.database import utcnow
from portal.extensions import db
from portal.files import sniff
from portal.i18n import current_locale
from portal.orgs.forms import ConfirmForm

bp = Blueprint("benchmark_admin", __name__, url_prefix="/benchmarks")
MAX_BENCHMARK_BYTES = 1024 * 1024
FORMAT_DOCUMENT = Path(__file__).with_name("BENCHMARK_FORMAT.md")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def keeps_benchmarks(user) -> bool:
    return is_platform_admin(user) or is_buyer_admin(user)


class BenchmarkUploadForm(FlaskForm):
    file = FileField(_l("Benchmark file (YAML or Excel)"),
                     validators=[FileRequired(message=_l("Choose a file to upload."))])
    submit = SubmitField(_l("Import as a draft"))


def _owner_id() -> int | None:
    """The organisation that owns what this user imports: None for the programme (platform admins)."""
    return None if is_platform_admin(current_user) else current_user.organisation_id


def _visible():
    """Benchmarks this user may open: all for platform admins; a buyer's own and the programme's published ones."""
    if is_platform_admin(current_user):
        return select(Benchmark)
    return select(Benchmark).where(or_(Benchmark.owner_organisation_id == current_user.organisation_id,
                                       Benchmark.owner_organisation_id.is_(None) & (Benchmark.status == "published")))


def _get(benchmark_id: int) -> Benchmark:
    row = db.session.scalars(_visible().where(Benchmark.id == benchmark_id)).first()
    if row is None:
        abort(404)
    return row


def _page(form, problems=(), status=200):
    rows = db.session.scalars(_visible().order_by(Benchmark.key, Benchmark.version.desc())).all()
    choices = sorted({row.key: row for row in rows if row.status == "published"}.values(), key=lambda r: r.key)
    return render_template("assessment/admin_benchmarks.html", benchmarks=rows, form=form, problems=problems,
                           confirm_form=ConfirmForm(), owner_id=_owner_id(), locale=current_locale(),
                           choices=choices, is_buyer=not is_platform_admin(current_user),
                           chosen=None if is_platform_admin(current_user) else current_user.organisation.benchmark_key
                           ), status


@bp.get("")
@requires(keeps_benchmarks)
def index():
    return _page(BenchmarkUploadForm())


def _read(content: bytes) -> tuple[spec.Benchmark | None, list]:
    if sniff(content) == XLSX:
        return benchmark_excel.load_workbook(content)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None, [spec.Problem("", _l("Upload a benchmark exported from this portal: a YAML file saved as "
                                          "UTF-8, or an Excel workbook (.xlsx)."))]
    return spec.load_yaml(text)


@bp.get("/format")
@requires(keeps_benchmarks)
def file_format():
    """The format description developers keep beside the code, for those who write the files."""
    return render_template("assessment/benchmark_format.html", text=FORMAT_DOCUMENT.read_text(encoding="utf-8"))


@bp.post("")
@requires(keeps_benchmarks)
def upload():
    form = BenchmarkUploadForm()
    if not form.validate():
        return _page(form, status=422)
    content = form.file.data.read(MAX_BENCHMARK_BYTES + 1)
    if len(content) > MAX_BENCHMARK_BYTES:
        return _page(form, [spec.Problem("", _l("The file is larger than 1 MB."))], 422)
    parsed, problems = _read(content)
    draft = None
    if parsed is not None:
        same_key = db.session.scalars(select(Benchmark).where(Benchmark.key == parsed.id)).all()
        same_version = next((row for row in same_key if row.version == parsed.version), None)
        if any(row.owner_organisation_id != _owner_id() for row in same_key):
            problems = [spec.Problem("id", _l("The id “%(id)s” belongs to another owner's benchmark; give yours "
                                              "its own id.", id=parsed.id))]
        elif same_version is not None and same_version.status != "draft":
            problems = [spec.Problem("version", _l("Version %(version)s of “%(id)s” is published and frozen; give "
                                                   "the file a higher version.", version=parsed.version, id=parsed.id))]
        else:
            draft = same_version  # editing a draft: the file replaces it
    if problems:
        return _page(form, problems, 422)
    # Who imports owns it, whatever the file says (a buyer adapting the programme's export keeps "programme").
    parsed = dataclasses.replace(parsed, owner="programme" if _owner_id() is None
                                 else current_user.organisation.credit_code)
    replacing = draft is not None
    if not replacing:
        draft = Benchmark(key=parsed.id, version=parsed.version, status="draft", created_by_id=current_user.id,
                          owner_organisation_id=_owner_id())
        db.session.add(draft)
    draft.title_zh, draft.title_en, draft.definition = parsed.title_zh, parsed.title_en, parsed.to_dict()
    record_event("benchmark.imported", draft, actor=current_user,
                 summary={"key": parsed.id, "version": parsed.version, "questions": len(parsed.questions()),
                          "replaced_draft": replacing})
    db.session.commit()
    flash(_("Imported as a draft. Check it, then publish it."), "success")
    return redirect(url_for("benchmark_admin.index"))


@bp.get("/<int:benchmark_id>.yaml")
@requires(keeps_benchmarks)
def export(benchmark_id):
    row = _get(benchmark_id)
    return Response(spec.dump_yaml(questionnaire(row)), mimetype="application/x-yaml",
                    headers={"Content-Disposition": f"attachment; filename={row.key}-v{row.version}.yaml"})


@bp.get("/<int:benchmark_id>.xlsx")
@requires(keeps_benchmarks)
def export_xlsx(benchmark_id):
    row = _get(benchmark_id)
    return Response(benchmark_excel.dump_workbook(questionnaire(row)), mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename={row.key}-v{row.version}.xlsx"})


@bp.post("/<int:benchmark_id>/publish")
@requires(keeps_benchmarks)
def publish(benchmark_id):
    row = _get(benchmark_id)
    if row.owner_organisation_id != _owner_id():
        abort(404)
    if ConfirmForm().validate() and row.status == "draft":
        row.status, row.published_at = "published", utcnow()
        record_event("benchmark.published", row, actor=current_user, summary={"key": row.key, "version": row.version})
        db.session.commit()
        flash(_("Published. This version is now frozen; suppliers can assess against it."), "success")
    return redirect(url_for("benchmark_admin.index"))


@bp.post("/choice")
@requires(is_buyer_admin)
def choose():
    """A buyer's choice of the questionnaire its suppliers answer (any published version of it counts)."""
    if not ConfirmForm().validate():
        abort(400)
    key = request.form.get("key") or None
    allowed = {row.key for row in db.session.scalars(_visible().where(Benchmark.status == "published"))}
    if key is not None and key not in allowed:
        abort(400)
    organisation = current_user.organisation
    before, organisation.benchmark_key = organisation.benchmark_key, key
    record_event("benchmark.chosen", organisation, actor=current_user, summary={"from": before, "to": key})
    db.session.commit()
    flash(_("Saved. Suppliers sharing an assessment of this questionnaire with you will be listed."), "success")
    return redirect(url_for("benchmark_admin.index"))
