"""flask --app portal …: demo data and the first platform admin."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import text

from portal.extensions import db

demo_cli = AppGroup("demo", help="Demo data for trying the portal out.")
users_cli = AppGroup("users", help="Accounts.")
guidance_cli = AppGroup("guidance", help="The guideline documents and the assistant's index.")
benchmarks_cli = AppGroup("benchmarks", help="Green procurement benchmarks for the self-assessment.")


@guidance_cli.command("seed")
def guidance_seed():
    """Copies the guideline documents shipped with the portal into the instance (keeps admins' changes)."""
    from portal.assistant.documents import seed_bundled

    changed = seed_bundled()
    db.session.commit()
    click.echo(f"{changed} guideline documents copied in.")


@benchmarks_cli.command("seed")
def seed_benchmarks():
    """Publishes the programme's default benchmark (portal/assessment/data); idempotent."""
    from portal.assessment.services import seed_programme_benchmark

    added = seed_programme_benchmark()
    db.session.commit()
    click.echo(f"{added} benchmark versions published.")


@guidance_cli.command("rebuild")
def guidance_rebuild():
    """Rebuilds the guideline index now, in the foreground, showing progress."""
    from portal.assistant import rebuild

    build = rebuild.start_rebuild(actor=None)
    db.session.commit()
    rebuild.run_build(current_app._get_current_object(), build.id)
    db.session.refresh(build)
    click.echo(f"{build.status}: {build.message}")
    if build.status != "done":
        raise click.ClickException("the index was not rebuilt; the previous one stays in use")


@demo_cli.command("load")
@click.option("--suppliers", default=0, show_default=True, help="Also create this many synthetic suppliers.")
@click.option("--years", default=5, show_default=True, help="Accepted annual reports per synthetic supplier.")
def demo_load(suppliers, years):
    """Loads the demo organisations, accounts and reports; running it again changes nothing."""
    from portal.demo import load_demo
    from portal.demo_reports import load_scale

    if not current_app.config["DEMO_MODE"]:
        raise click.ClickException("Demo data is only loaded in demo mode (PORTAL_DEMO=1, never in production).")
    created = load_demo()
    if suppliers:
        created += load_scale(suppliers, years)
    db.session.commit()
    if suppliers:
        # After a bulk load the query planner still holds the statistics of nearly empty tables (PostgreSQL's
        # autovacuum catches up later) and picks sequential scans: a supplier's trend query took 4.4 ms instead
        # of 0.2 ms. ANALYZE (both databases know it) refreshes them now.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    click.echo(f"Demo data ready ({created} new records). Password for every demo account: "
               f"{current_app.config.get('DEMO_PASSWORD', 'GreenChain-2026')}")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="Platform admin", show_default=True)
@click.password_option(help="Asked for when not given.")
def create_admin(email, name, password):
    """Creates a platform admin, or makes an existing account one."""
    from portal.audit.services import record_event
    from portal.auth.models import User
    from portal.auth.passwords import MIN_LENGTH, hash_password
    from portal.auth.services import user_by_email

    if len(password) < MIN_LENGTH:
        raise click.ClickException(f"The password needs at least {MIN_LENGTH} characters.")
    email = email.strip().lower()
    user = user_by_email(email)
    if user is None:
        user = User(email=email, name=name, password_hash=hash_password(password), is_platform_admin=True)
        db.session.add(user)
    else:
        user.is_platform_admin = True
        user.password_hash = hash_password(password)
    record_event("user.platform_admin_granted", user, actor=None, summary={"email": email, "via": "cli"})
    db.session.commit()
    click.echo(f"{email} is a platform admin.")


def register_cli(app) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(guidance_cli)
    app.cli.add_command(benchmarks_cli)

    from portal.notifications.cli import notifications_cli, reminders_cli
    from portal.records.cli import records_cli

    app.cli.add_command(records_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(notifications_cli)
