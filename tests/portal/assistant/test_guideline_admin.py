import io
import re
import shutil
from pathlib import Path

import pytest

import guidance
from portal.assistant.models import GuidelineFile, IndexBuild
from portal.extensions import db
from tests.conftest import login

NEW_DOCUMENT = """---
doc_id: canteen-pilot
title: 食堂节能试点说明
lang: zh
effective: 2026-11-01
---

# 食堂节能试点说明

## 1 试点范围

食堂节能试点面向自办职工食堂的供应商，食堂灶具改用电磁灶后，天然气用量按月记录，试点编号为 KT-2026-77。

依据：本平台试点说明
"""


@pytest.fixture
def admin_client(app, make):
    client = app.test_client()
    login(client, make.user(None))
    return client


@pytest.fixture
def restore_index(app):
    """Tests here rebuild the shared index; put the bundled one back afterwards."""
    yield
    shutil.rmtree(app.config["GUIDANCE_DOCUMENTS_DIR"], ignore_errors=True)
    guidance.build_index([guidance.config.BUNDLED_CORPUS_DIR], app.config["GUIDANCE_INDEX_DIR"])


def _upload(client, name, data, url="/admin/guidelines"):
    return client.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_upload_rebuild_and_the_assistant_answers_from_the_new_document(app, make, admin_client, restore_index):
    assert _upload(admin_client, "canteen-pilot.zh.md", NEW_DOCUMENT.encode()).status_code == 302
    response = admin_client.post("/admin/guidelines/rebuild")
    assert response.status_code == 302 and "/admin/guidelines/builds/" in response.headers["Location"]
    build = db.session.scalars(db.select(IndexBuild)).one()
    assert (build.status, build.percent) == ("done", 100)
    supplier = app.test_client()
    login(supplier, make.user(make.org()))
    answered = supplier.post("/assistant/ask", data={"question": "食堂节能试点编号是多少"})
    assert "KT-2026-77" in supplier.get(answered.headers["Location"]).get_data(as_text=True)


def test_a_file_that_is_not_what_its_name_says_is_refused_beside_the_field(admin_client):
    response = _upload(admin_client, "fake.pdf", b"MZ\x90\x00 not a pdf at all")
    assert response.status_code == 422
    assert 'id="file-error"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(GuidelineFile)) == 0


def test_a_markdown_file_without_front_matter_is_refused_with_the_reason(admin_client):
    response = _upload(admin_client, "broken.zh.md", "# 只有标题\n\n没有前言信息。\n".encode())
    assert response.status_code == 422
    assert 'id="file-error"' in response.get_data(as_text=True)


def test_a_failed_rebuild_keeps_the_old_index_answering(app, make, admin_client, restore_index):
    _upload(admin_client, "canteen-pilot.zh.md", NEW_DOCUMENT.encode())
    documents = Path(app.config["GUIDANCE_DOCUMENTS_DIR"])
    (documents / "canteen-pilot.zh.md").write_text("---\nbroken: [\n---\n")  # corrupted on disk afterwards
    admin_client.post("/admin/guidelines/rebuild")
    build = db.session.scalars(db.select(IndexBuild)).one()
    assert build.status == "failed" and "canteen-pilot.zh.md" in build.message
    supplier = app.test_client()
    login(supplier, make.user(make.org()))
    answered = supplier.post("/assistant/ask", data={"question": "电镀污泥该交给什么单位处理"})
    assert "HW17" in supplier.get(answered.headers["Location"]).get_data(as_text=True)


def test_deleting_a_document_is_audited_and_it_stays_deleted_after_seeding(app, admin_client, make, restore_index):
    from portal.assistant.documents import seed_bundled
    from portal.audit.models import AuditEvent

    with app.test_request_context():
        seed_bundled()
        db.session.commit()
    target = db.session.scalars(db.select(GuidelineFile).where(
        GuidelineFile.filename == "training-guidance.zh.md")).one()
    assert admin_client.post(f"/admin/guidelines/{target.id}/delete").status_code == 302
    with app.test_request_context():
        assert seed_bundled() == 0
        db.session.commit()
    db.session.refresh(target)
    assert target.active is False
    assert db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "guideline.deleted")).one()


def test_progress_is_readable_as_json_for_the_page_script(admin_client, restore_index):
    _upload(admin_client, "canteen-pilot.zh.md", NEW_DOCUMENT.encode())
    admin_client.post("/admin/guidelines/rebuild")
    build = db.session.scalars(db.select(IndexBuild)).one()
    data = admin_client.get(f"/admin/guidelines/builds/{build.id}?format=json").get_json()
    documents, sections, passages = re.fullmatch(r"(\d+) documents, (\d+) sections, (\d+) passages",
                                                 build.message).groups()
    # In the reader's language (Chinese here), not the English the build stored.
    assert data == {"status": "done", "percent": 100,
                    "message": f"{documents} 份文档，{sections} 个章节，{passages} 个段落"}


def test_a_running_or_failed_build_is_described_in_the_readers_language(app):
    from portal.assistant.rebuild import shown_message

    with app.test_request_context():
        assert shown_message(IndexBuild(status="running", done=2, total=9, message="reading hazardous-waste.zh.md")
                             ) == "正在读取 hazardous-waste.zh.md"
        assert shown_message(IndexBuild(status="running", done=7, total=9, message="tokenising passages")
                             ) == "第 7 步，共 9 步"
        assert shown_message(IndexBuild(status="failed", message="x.md: missing front matter")
                             ) == "索引未重建：x.md: missing front matter"
