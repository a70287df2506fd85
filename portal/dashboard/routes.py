from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from portal.access import public
from portal.dashboard.tasks import tasks_for

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@public
def landing():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    return render_template("dashboard/landing.html")


@bp.get("/dashboard")
def home():
    return render_template("dashboard/home.html", tasks=tasks_for(current_user))
