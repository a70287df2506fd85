"""flask --app portal notifications prune: read notifications older than --days go, unread ones stay, for cron."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.notifications.models import Notification


@pytest.fixture
def notes(make):
    """Hand-made notifications of one user, by name: (created days ago, read days ago or None)."""
    user = make.user(make.org("supplier"))
    now = utcnow()
    ages = {"old_read": (400, 399), "old_unread": (400, None), "recent_read": (10, 9), "year_old_read": (366, 1),
            "just_under_a_year_read": (364, 300)}
    rows = {name: Notification(user_id=user.id, kind="funding.status", params={"ref": name}, link="/notifications",
                               created_at=now - timedelta(days=created),
                               read_at=now - timedelta(days=read) if read is not None else None)
            for name, (created, read) in ages.items()}
    db.session.add_all(rows.values())
    db.session.commit()
    return {name: row.id for name, row in rows.items()}


def prune(app, *args):
    result = app.test_cli_runner().invoke(args=["notifications", "prune", *args])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def left(notes) -> set[str]:
    db.session.expire_all()
    kept = set(db.session.scalars(select(Notification.id)))
    return {name for name, note_id in notes.items() if note_id in kept}


def test_read_notifications_older_than_a_year_are_deleted_unread_ones_kept(app, notes):
    assert prune(app) == "Read notifications older than 365 days: 2 deleted."
    assert left(notes) == {"old_unread", "recent_read", "just_under_a_year_read"}
    assert prune(app) == "Read notifications older than 365 days: 0 deleted."  # a rerun finds nothing more


def test_days_sets_the_age(app, notes):
    assert prune(app, "--days", "30") == "Read notifications older than 30 days: 3 deleted."
    assert left(notes) == {"old_unread", "recent_read"}
    assert prune(app, "--days", "5") == "Read notifications older than 5 days: 1 deleted."
    assert left(notes) == {"old_unread"}  # unread, whatever its age


def test_a_dry_run_counts_and_deletes_nothing(app, notes):
    assert prune(app, "--dry-run", "--days", "30") == "Read notifications older than 30 days: 3 would be deleted."
    assert left(notes) == set(notes)


def test_days_must_be_at_least_one(app, notes):
    result = app.test_cli_runner().invoke(args=["notifications", "prune", "--days", "0"])
    assert result.exit_code != 0
    assert left(notes) == set(notes)
