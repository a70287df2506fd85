from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import is_supplier, public
from portal.charts import ChartWords, data_table, line_chart
from portal.dashboard.tasks import tasks_for
from portal.reports.trends import INDICATORS, trend_series

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@public
def landing():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    return render_template("dashboard/landing.html")


@bp.get("/dashboard")
def home():
    trends = trend_series(current_user.organisation_id) if is_supplier(current_user) else {}
    return render_template("dashboard/home.html", tasks=tasks_for(current_user), trends=trends,
                           indicators=INDICATORS, chart_words=ChartWords(
                               year=_("Year"), not_reported=_("not reported"), no_data=_("No data reported")),
                           line_chart=line_chart, data_table=data_table)
