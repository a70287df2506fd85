from portal.auth.models import User
from portal.extensions import db
from portal.orgs.models import Organisation
from tests.conftest import login


def test_demo_load_is_idempotent_and_its_accounts_sign_in(app, make):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    counts = (db.session.scalar(db.select(db.func.count()).select_from(Organisation)),
              db.session.scalar(db.select(db.func.count()).select_from(User)))
    assert counts == (6, 10)  # the 8 accounts of the README's table and the funding demo's two experts
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert (db.session.scalar(db.select(db.func.count()).select_from(Organisation)),
            db.session.scalar(db.select(db.func.count()).select_from(User))) == counts
    login(app.test_client(), "supplier@demo.local", "GreenChain-2026")


def test_demo_load_refuses_outside_demo_mode(app):
    from tests.conftest import make_app

    production_like = make_app(DEMO_MODE=False)
    result = production_like.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "demo mode" in result.output


def test_create_admin_makes_a_platform_admin_who_can_sign_in(app, make):
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "Ops@Example.com",
                                                "--password", "A-strong-password-1"])
    assert result.exit_code == 0, result.output
    user = db.session.scalars(db.select(User).where(User.email == "ops@example.com")).one()
    assert user.is_platform_admin and user.organisation_id is None
    client = app.test_client()
    login(client, "ops@example.com", "A-strong-password-1")
    assert client.get("/admin/audit").status_code == 200


def test_create_admin_refuses_a_short_password(app, make):
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "x@example.com", "--password", "short"])
    assert result.exit_code != 0


def test_a_bulk_demo_load_refreshes_the_query_planners_statistics(app, make):
    """Right after a bulk load the planner would otherwise plan with the statistics of empty tables (sequential
    scans where an index serves: the trend query ran 20 times slower on PostgreSQL)."""
    result = app.test_cli_runner().invoke(args=["demo", "load", "--suppliers", "3", "--years", "2"])
    assert result.exit_code == 0, result.output
    if db.engine.dialect.name == "postgresql":
        analysed = db.session.scalar(db.text(
            "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'annual_reports'"))
    else:
        analysed = db.session.scalar(db.text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'annual_reports'")) > 0
    assert analysed
