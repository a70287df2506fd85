"""flask --app portal reminders send: the deadline reminders; flask --app portal notifications prune: old read
notifications deleted. Both for cron (see README)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from portal import local_time
from portal.database import utcnow
from portal.extensions import db

reminders_cli = AppGroup("reminders", help="Deadline reminders (run daily from cron).")
notifications_cli = AppGroup("notifications", help="In-portal notifications (housekeeping, from cron).")


@reminders_cli.command("send")
@click.option("--dry-run", is_flag=True, help="List what would be sent; send and record nothing.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Take this day (YYYY-MM-DD) as today, for testing.")
def send_reminders(dry_run: bool, today):
    """Sends each due reminder once (in the portal and by e-mail); running it again the same day sends nothing."""
    from portal.notifications import reminders

    day = today.date() if today else local_time.today()
    with current_app.test_request_context(base_url=current_app.config["PORTAL_BASE_URL"]):
        counts, lines = reminders.send(day, dry_run=dry_run)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    for line in lines if dry_run else ():
        click.echo(line)
    verb = "would send" if dry_run else "sent"
    click.echo(f"{day.isoformat()}: {sum(counts.values())} reminders {verb}.")
    for kind, number in sorted(counts.items()):
        click.echo(f"  {kind}: {number}")


@notifications_cli.command("prune")
@click.option("--days", type=click.IntRange(min=1), default=365, show_default=True,
              help="Delete read notifications created more than this many days ago.")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
def prune_notifications(days: int, dry_run: bool):
    """Deletes read notifications older than --days, in one transaction; unread ones are kept whatever their age."""
    from portal.notifications import services

    number = services.prune_read(utcnow() - timedelta(days=days), dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "would be deleted" if dry_run else "deleted"
    click.echo(f"Read notifications older than {days} days: {number} {verb}.")
