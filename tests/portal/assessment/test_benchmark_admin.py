import io
import re

import pytest

from portal.assessment.models import Benchmark
from portal.assessment.services import seed_programme_benchmark
from portal.extensions import db
from portal.orgs.models import Organisation
from tests.conftest import login


@pytest.fixture
def admin(app, make):
    seed_programme_benchmark()
    db.session.commit()
    client = app.test_client()
    login(client, make.user(None))
    return client


def upload(client, text):
    return client.post("/benchmarks", data={"file": (io.BytesIO(text.encode()), "benchmark.yaml")},
                       content_type="multipart/form-data")


def test_export_then_import_as_the_next_version_and_publish(admin):
    row = db.session.scalars(db.select(Benchmark)).one()
    exported = admin.get(f"/benchmarks/{row.id}.yaml").get_data(as_text=True)
    assert "sections:" in exported
    same_version = upload(admin, exported)
    assert same_version.status_code == 422 and "form-errors" in same_version.get_data(as_text=True)
    next_version = exported.replace(f"version: {row.version}", f"version: {row.version + 1}", 1)
    assert upload(admin, next_version).status_code == 302
    draft = db.session.scalars(db.select(Benchmark).where(Benchmark.version == row.version + 1)).one()
    assert draft.status == "draft"
    # Importing the same version again edits the draft instead of adding one.
    edited = re.sub(r"^title_en: .*$", "title_en: Edited draft", next_version, count=1, flags=re.MULTILINE)
    assert upload(admin, edited).status_code == 302
    db.session.refresh(draft)
    assert draft.title_en == "Edited draft" and db.session.scalar(
        db.select(db.func.count()).select_from(Benchmark)) == 2
    listing = admin.get("/benchmarks").get_data(as_text=True)
    assert f'action="/benchmarks/{draft.id}/publish" class="inline-form" data-confirm="发布此版本？' in listing
    admin.post(f"/benchmarks/{draft.id}/publish")
    db.session.refresh(draft)
    assert draft.status == "published" and draft.published_at is not None


def test_an_import_with_mistakes_lists_every_problem_and_changes_nothing(admin):
    row = db.session.scalars(db.select(Benchmark)).one()
    exported = admin.get(f"/benchmarks/{row.id}.yaml").get_data(as_text=True)
    broken = (exported.replace(f"version: {row.version}", "version: 99", 1)
              .replace("type: yes_partly_no", "type: maybe", 1)
              .replace("weight: 10", "weight: 11", 1))
    response = upload(admin, broken)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count("<li>") >= 2  # the unknown type and the weights that no longer add up to 100
    assert db.session.scalar(db.select(db.func.count()).select_from(Benchmark)) == 1


@pytest.fixture
def buyers(app, make):
    clients = []
    for _n in range(2):
        client = app.test_client()
        login(client, make.user(make.org("buyer")))
        clients.append(client)
    return clients


def test_a_buyer_keeps_its_own_benchmark_which_other_buyers_never_see(admin, buyers):
    first, second = buyers
    row = db.session.scalars(db.select(Benchmark)).one()
    exported = first.get(f"/benchmarks/{row.id}.yaml").get_data(as_text=True)  # the programme's is readable
    # Taking the programme's id is refused; its own id is accepted as the buyer's draft.
    assert upload(first, exported.replace("version: 1", "version: 2", 1)).status_code == 422
    assert upload(first, exported.replace(f"id: {row.key}", "id: acme-2026", 1)).status_code == 302
    own = db.session.scalars(db.select(Benchmark).where(Benchmark.key == "acme-2026")).one()
    assert own.owner_organisation_id is not None and own.status == "draft"
    # The file said "owner: programme"; the draft belongs to the buyer that imported it, and says so.
    code = db.session.scalar(db.select(Organisation.credit_code).where(Organisation.id == own.owner_organisation_id))
    assert own.definition["owner"] == code
    assert f"owner: {code}" in first.get(f"/benchmarks/{own.id}.yaml").get_data(as_text=True)
    assert second.get(f"/benchmarks/{own.id}.yaml").status_code == 404
    assert second.post(f"/benchmarks/{own.id}/publish").status_code == 404
    assert "acme-2026" not in second.get("/benchmarks").get_data(as_text=True)
    assert upload(second, exported.replace(f"id: {row.key}", "id: acme-2026", 1)).status_code == 422
    first.post(f"/benchmarks/{own.id}/publish")
    db.session.refresh(own)
    assert own.status == "published"
    first.post("/benchmarks/choice", data={"key": "acme-2026"})
    assert db.session.get(Organisation, own.owner_organisation_id).benchmark_key == "acme-2026"
    assert second.post("/benchmarks/choice", data={"key": "acme-2026"}).status_code == 400


def test_an_excel_export_edited_and_imported_back_becomes_a_draft(admin):
    from openpyxl import load_workbook

    row = db.session.scalars(db.select(Benchmark)).one()
    exported = admin.get(f"/benchmarks/{row.id}.xlsx")
    assert exported.status_code == 200
    workbook = load_workbook(io.BytesIO(exported.data))
    sheet = workbook["benchmark"]
    version_column = next(cell.column for cell in sheet[2] if cell.value == "version")
    sheet.cell(row=3, column=version_column, value=row.version + 1)
    edited = io.BytesIO()
    workbook.save(edited)
    response = admin.post("/benchmarks", data={"file": (io.BytesIO(edited.getvalue()), "benchmark.xlsx")},
                          content_type="multipart/form-data")
    assert response.status_code == 302
    draft = db.session.scalars(db.select(Benchmark).where(Benchmark.version == row.version + 1)).one()
    assert draft.status == "draft" and draft.definition["sections"] == row.definition["sections"]


def test_the_file_format_is_a_page_linked_from_the_import_form(admin):
    page = admin.get("/benchmarks").get_data(as_text=True)
    assert "/benchmarks/format" in page and "BENCHMARK_FORMAT.md" not in page
    described = admin.get("/benchmarks/format").get_data(as_text=True)
    assert "<h1>Green procurement benchmark: file format (YAML)</h1>" in described and "grade_bands" in described
