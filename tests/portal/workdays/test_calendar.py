"""Periods counted in working days follow the official arrangement the admins entered: holidays are skipped and
weekend days made working days count."""

from datetime import date

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.workdays.calendar import add_working_days
from portal.workdays.models import CalendarDay
from tests.conftest import login


def _enter(client, first, last, kind, name):
    return client.post("/admin/calendar", data={"first": first, "last": last, "kind": kind, "name": name})


def test_without_entries_only_weekends_are_days_off(make):
    # Friday 27 Nov 2026 + 5 working days: Fri, Mon, Tue, Wed, Thu 3 Dec
    assert add_working_days(date(2026, 11, 27), 5) == date(2026, 12, 3)
    # A period starting on a Saturday begins counting on Monday.
    assert add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)


def test_holidays_are_skipped_and_makeup_working_days_count(make, client):
    admin = make.user()
    login(client, admin)
    assert _enter(client, "2026-12-01", "2026-12-02", "holiday", "测试假期").status_code == 302
    assert _enter(client, "2026-12-05", "2026-12-05", "workday", "测试调休").status_code == 302
    # Fri 27, Mon 30, (Tue 1 and Wed 2 off), Thu 3, Fri 4, Sat 5 (a working day)
    assert add_working_days(date(2026, 11, 27), 5) == date(2026, 12, 5)
    assert add_working_days(date(2026, 11, 27), 4) == date(2026, 12, 4)
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "测试假期" in page and "测试调休" in page
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("calendar.days_added") == 2


def test_a_bad_entry_is_explained_beside_its_field_and_nothing_is_saved(make, client):
    login(client, make.user())
    response = _enter(client, "2026-10-07", "2026-10-01", "holiday", "国庆节")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="last-error"' in page and 'value="国庆节"' in page
    assert _enter(client, "2026-10-01", "2026-10-03", "holiday", "").status_code == 422
    assert db.session.scalars(select(CalendarDay)).all() == []


def test_a_day_already_entered_is_refused_and_a_removed_day_counts_again(make, client):
    login(client, make.user())
    _enter(client, "2026-12-01", "2026-12-01", "holiday", "测试假期")
    response = _enter(client, "2026-11-30", "2026-12-01", "holiday", "另一个")
    assert response.status_code == 422 and "2026-12-01" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(CalendarDay)) == 1
    assert client.post("/admin/calendar/2026-12-01/delete").status_code == 302
    assert add_working_days(date(2026, 11, 27), 5) == date(2026, 12, 3)
    assert client.post("/admin/calendar/not-a-day/delete").status_code == 404


def test_only_platform_admins_keep_the_calendar(make, client):
    supplier = make.user(make.org())
    login(client, supplier)
    assert client.get("/admin/calendar").status_code == 403
    assert _enter(client, "2026-12-01", "2026-12-01", "holiday", "x").status_code == 403


def test_a_makeup_working_day_falls_on_a_weekend(make, client):
    login(client, make.user(locale="en"))
    response = _enter(client, "2027-01-04", "2027-01-04", "workday", "元旦调休")  # a Monday
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="first-error"' in page and "Not a weekend: January 4, 2027." in page
    assert _enter(client, "2027-01-02", "2027-01-04", "workday", "元旦调休").status_code == 422  # Sat to Mon
    assert db.session.scalars(select(CalendarDay)).all() == []
    assert _enter(client, "2027-01-02", "2027-01-03", "workday", "元旦调休").status_code == 302  # Sat and Sun
    assert _enter(client, "2027-01-04", "2027-01-04", "holiday", "元旦").status_code == 302  # holidays: any day
