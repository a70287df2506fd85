"""One database per test run (SQLite by default, PostgreSQL when DATABASE_URL says so), built by the
migrations, emptied after every test; an app with CSRF off for most tests and factories for test data."""

from __future__ import annotations

import os
import tempfile
from email import policy
from email.parser import BytesParser
from itertools import count
from pathlib import Path

import pytest
import sqlalchemy as sa

os.environ.setdefault("PORTAL_ENV", "testing")
_TMP = Path(tempfile.mkdtemp(prefix="portal-tests-"))
os.environ.setdefault("PORTAL_INSTANCE_PATH", str(_TMP / "instance"))

from portal import create_app  # noqa: E402
from portal.config import normalise_database_url  # noqa: E402
from portal.extensions import db, limiter  # noqa: E402

PASSWORD = "Correct-Horse-42"
REFERENCE_TABLES = {"emission_factors"}


def database_url() -> str:
    return normalise_database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{_TMP / 'test.sqlite3'}")


def is_postgres() -> bool:
    return database_url().startswith("postgresql")


def reset_schema(url: str) -> None:
    """Leaves an empty database, so the migrations build everything from nothing."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            for table in sa.inspect(conn).get_table_names():
                conn.execute(sa.text(f'DROP TABLE "{table}"'))
    engine.dispose()


def make_app(**overrides):
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url(),
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
        "PORTAL_BASE_URL": "http://localhost",  # e-mail links, on the test client's host
        "RATELIMIT_ENABLED": True,
        "GUIDANCE_INDEX_DIR": str(_TMP / "guidance-index"),
        "GUIDANCE_DOCUMENTS_DIR": str(_TMP / "guidance-documents"),
        "GUIDANCE_REBUILD_INLINE": True,
        "UPLOAD_DIR": str(_TMP / "uploads"),
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def app():
    from flask_migrate import upgrade

    import guidance

    reset_schema(database_url())
    application = make_app()
    with application.app_context():
        upgrade()
    # Built once per run from the bundled corpus; tests that rebuild it restore it (see restore_index).
    guidance.build_index([guidance.config.BUNDLED_CORPUS_DIR], application.config["GUIDANCE_INDEX_DIR"])
    return application


@pytest.fixture(autouse=True)
def _clean_state(request):
    if "app" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    outbox = Path(application.config["MAIL_OUTBOX_DIR"])
    for message in outbox.glob("*.eml"):
        message.unlink()
    with application.app_context():
        limiter.reset()
    yield
    with application.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                if table.name in REFERENCE_TABLES:
                    # Seeded by the migrations; a test that changes them restores them itself.
                    conn.execute(table.delete().where(table.c.created_by_id.is_not(None)))
                else:
                    conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def outbox(app):
    """The e-mails sent so far, oldest first, as (to, subject, body)."""

    def read():
        folder = Path(app.config["MAIL_OUTBOX_DIR"])
        messages = []
        for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
            msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            messages.append((msg["To"], msg["Subject"], msg.get_content()))
        return messages

    return read


_serial = count(100)


def credit_code() -> str:
    from portal.orgs.credit_code import check_character

    first17 = f"91440300MA5T{next(_serial):05d}"
    return first17 + check_character(first17)


class Factory:
    def org(self, kind="supplier", **fields):
        from portal.orgs.models import Organisation

        n = next(_serial)
        org = Organisation(kind=kind, credit_code=fields.pop("credit_code", None) or credit_code(),
                           name_zh=fields.pop("name_zh", f"测试企业{n}"), **fields)
        db.session.add(org)
        db.session.commit()
        return org

    def user(self, org=None, role="admin", email=None, password=PASSWORD, **fields):
        from portal.auth.models import User
        from portal.auth.passwords import hash_password

        n = next(_serial)
        user = User(email=email or f"user{n}@example.com", name=fields.pop("name", f"用户{n}"),
                    password_hash=hash_password(password), organisation=org, role=role if org else None,
                    is_platform_admin=org is None, **fields)
        db.session.add(user)
        db.session.commit()
        return user


@pytest.fixture(scope="session")
def data_app(app):
    """A second app on the same database for the test's own reads and writes.

    Requests from a test client get a fresh app context (and so a fresh session and flask.g) only when no
    context of the *same* app is active; holding this one open in the test keeps requests honest.
    """
    return make_app()


@pytest.fixture
def benchmark(make):
    """The programme's default benchmark, published."""
    from portal.assessment.models import Benchmark
    from portal.assessment.services import seed_programme_benchmark

    seed_programme_benchmark()
    db.session.commit()
    return db.session.scalars(db.select(Benchmark)).one()


@pytest.fixture
def make(data_app):
    with data_app.app_context():
        yield Factory()
        db.session.remove()


def login(client, user_or_email, password=PASSWORD):
    email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def queries_of(app):
    """queries_of(client, path, **kwargs) -> (response, number of SQL statements the request ran);
    with `statements=True`, (response, the statements themselves); `method="POST"` for a form."""

    def run(client, path, *, statements: bool = False, method: str = "GET", **kwargs):
        ran = []

        def record(conn, cursor, statement, *args):
            ran.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            response = client.open(path, method=method, **kwargs)
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        return response, (ran if statements else len(ran))

    return run
