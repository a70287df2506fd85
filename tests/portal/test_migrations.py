"""The migrations build the schema the models describe, and step down and up again."""

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from portal.extensions import db
from tests.conftest import _TMP, database_url, is_postgres, make_app


@pytest.fixture
def scratch_url():
    """An empty database of the same kind as the test database."""
    if not is_postgres():
        yield f"sqlite:///{_TMP / f'scratch-{uuid.uuid4().hex}.sqlite3'}"
        return
    name = f"scratch_{uuid.uuid4().hex[:12]}"
    server = sa.create_engine(database_url(), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield database_url().rsplit("/", 1)[0] + f"/{name}"
    with server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    server.dispose()


def _diff(app):
    with app.app_context(), db.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)


def test_upgrade_on_an_empty_database_matches_the_models(scratch_url):
    app = make_app(SQLALCHEMY_DATABASE_URI=scratch_url)
    with app.app_context():
        upgrade()
    assert _diff(app) == []
    with app.app_context():
        db.engine.dispose()


def test_downgrade_one_step_and_upgrade_again(scratch_url):
    app = make_app(SQLALCHEMY_DATABASE_URI=scratch_url)
    with app.app_context():
        upgrade()
        downgrade(revision="-1")
        upgrade()
    assert _diff(app) == []
    with app.app_context():
        db.engine.dispose()


def test_migrations_have_one_head_and_date_prefixed_files():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    folder = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")
    config = Config(os.path.join(folder, "alembic.ini"))
    config.set_main_option("script_location", folder)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
    names = [n for n in os.listdir(os.path.join(folder, "versions")) if n.endswith(".py")]
    assert names and all(n[:8].isdigit() and n[8] == "_" for n in names)
