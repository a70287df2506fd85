import io

import pytest

from portal.assessment.models import Benchmark
from portal.assessment.services import seed_programme_benchmark
from portal.extensions import db
from tests.conftest import login


@pytest.fixture
def admin(app, make):
    seed_programme_benchmark()
    db.session.commit()
    client = app.test_client()
    login(client, make.user(None))
    return client


def upload(client, text):
    return client.post("/admin/benchmarks", data={"file": (io.BytesIO(text.encode()), "benchmark.yaml")},
                       content_type="multipart/form-data")


def test_export_then_import_as_the_next_version_and_publish(admin):
    row = db.session.scalars(db.select(Benchmark)).one()
    exported = admin.get(f"/admin/benchmarks/{row.id}.yaml").get_data(as_text=True)
    assert "sections:" in exported
    same_version = upload(admin, exported)
    assert same_version.status_code == 422 and "form-errors" in same_version.get_data(as_text=True)
    next_version = exported.replace(f"version: {row.version}", f"version: {row.version + 1}", 1)
    assert upload(admin, next_version).status_code == 302
    draft = db.session.scalars(db.select(Benchmark).where(Benchmark.version == row.version + 1)).one()
    assert draft.status == "draft"
    admin.post(f"/admin/benchmarks/{draft.id}/publish")
    db.session.refresh(draft)
    assert draft.status == "published" and draft.published_at is not None


def test_an_import_with_mistakes_lists_every_problem_and_changes_nothing(admin):
    row = db.session.scalars(db.select(Benchmark)).one()
    exported = admin.get(f"/admin/benchmarks/{row.id}.yaml").get_data(as_text=True)
    broken = (exported.replace(f"version: {row.version}", "version: 99", 1)
              .replace("type: yes_partly_no", "type: maybe", 1)
              .replace("weight: 10", "weight: 11", 1))
    response = upload(admin, broken)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count("<li>") >= 2  # the unknown type and the weights that no longer add up to 100
    assert db.session.scalar(db.select(db.func.count()).select_from(Benchmark)) == 1
