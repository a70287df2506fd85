"""The programme dashboard of the environmental authority and its technical agency (platform admins too):
charts with the table behind each one, and the same tables as Excel and CSV."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, Response, abort, render_template, request, send_file
from flask_babel import gettext as _

from portal.access import is_platform_admin, requires
from portal.charts import ChartWords, Series, bar_chart, category_chart
from portal.programme import exports, figures
from portal.programme.tables import Table
from portal.records.models import reviews_records

bp = Blueprint("programme", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Which columns of each table its chart draws (by column name), and in what unit; the reductions mix units, so
# they are a table only.
CHARTED = {"tiers": ([figures.SUPPLIERS], "suppliers"), "buyers": ([figures.SUPPLIERS], "suppliers"),
           "districts": ([figures.SUPPLIERS], "suppliers"), "grades": ([figures.SUPPLIERS], "suppliers"),
           "funding": ([figures.APPROVED, figures.DISBURSED], "yuan"),
           "reports": ([figures.REPORTS_ACCEPTED], "reports")}


def oversees_programme(user) -> bool:
    return is_platform_admin(user) or reviews_records(user)


def _chart(table: Table, words: ChartWords):
    if table.key not in CHARTED:
        return None
    names, unit_key = CHARTED[table.key]
    columns = [table.index_of(name) for name in names]
    unit = {"suppliers": _("suppliers"), "yuan": _("yuan"), "reports": _("reports")}[unit_key]
    title = str(table.title)
    if table.key == "reports":
        series = Series(str(table.columns[columns[0]]), [(row[0], row[columns[0]]) for row in table.rows])
        return bar_chart(series, title=title, unit=unit, words=words)
    # Several columns (approved and disbursed): a bar for each, labelled with the column's name first (a long
    # row name is shortened at its end).
    items = [(str(row[0]) if len(columns) == 1 else f"{table.columns[column]} · {row[0]}", row[column])
             for row in table.rows for column in columns]
    return category_chart(items, title=title, unit=unit, width=420, words=words)


@bp.get("/programme")
@requires(oversees_programme)
def index():
    words = ChartWords(year=_("Year"), not_reported=_("not reported"), no_data=_("No data yet"))
    tables = figures.all_tables()
    return render_template("programme/index.html", tables=[(table, _chart(table, words)) for table in tables])


@bp.get("/programme/export.xlsx")
@requires(oversees_programme)
def export_xlsx():
    return send_file(BytesIO(exports.workbook(figures.all_tables())), mimetype=XLSX, as_attachment=True,
                     download_name="programme.xlsx")


@bp.get("/programme/export.csv")
@requires(oversees_programme)
def export_csv():
    key = request.args.get("table", "tiers")
    table = figures.one_table(key)
    if table is None:
        abort(404)
    return Response(exports.csv_text(table), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=programme-{key}.csv"})
