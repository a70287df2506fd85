import io
import zipfile

import pytest

from portal.extensions import db
from portal.reports.models import Evidence
from tests.conftest import login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def upload(client, report_id, name, data, path="energy"):
    return client.post(f"/reports/{report_id}/evidence", data={"field_path": path, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


@pytest.mark.parametrize(("name", "data"), [("电费单.pdf", PDF), ("meter.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32),
                                            ("台账.xlsx", _xlsx())])
def test_evidence_is_accepted_by_content_and_listed_in_its_section(supplier, name, data):
    report_id = supplier.new_report()
    assert upload(supplier.client, report_id, name, data).status_code == 302
    page = supplier.client.get(f"/reports/{report_id}/sections/energy").get_data(as_text=True)
    assert name in page
    item = db.session.scalars(db.select(Evidence)).one()
    download = supplier.client.get(f"/evidence/{item.id}")
    assert download.status_code == 200 and download.data == data


@pytest.mark.parametrize(("name", "data"), [("invoice.pdf", b"MZ\x90\x00 an executable"),
                                            ("notes.xlsx", b"PK\x03\x04 broken zip"), ("empty.pdf", b"")])
def test_a_file_that_is_not_what_its_name_says_is_refused(supplier, name, data):
    report_id = supplier.new_report()
    response = upload(supplier.client, report_id, name, data)
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(Evidence)) == 0
    page = supplier.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "flash-error" in page


def test_evidence_is_served_only_to_those_who_may_see_the_report(app, make, supplier, reviewer):
    report_id = supplier.new_report()
    upload(supplier.client, report_id, "bill.pdf", PDF)
    item = db.session.scalars(db.select(Evidence)).one()
    outsider = app.test_client()
    login(outsider, make.user(make.org("supplier")))
    assert outsider.get(f"/evidence/{item.id}").status_code == 404
    assert reviewer.get(f"/evidence/{item.id}").status_code == 404  # still a draft
    supplier.fill_minimum(report_id)
    supplier.client.post(f"/reports/{report_id}/submit")
    assert reviewer.get(f"/evidence/{item.id}").status_code == 200


def test_the_same_file_twice_is_stored_once(supplier, app):
    from pathlib import Path

    report_id = supplier.new_report()
    upload(supplier.client, report_id, "a.pdf", PDF)
    upload(supplier.client, report_id, "b.pdf", PDF, path="production")
    items = db.session.scalars(db.select(Evidence)).all()
    assert len(items) == 2 and items[0].sha256 == items[1].sha256
    stored = list(Path(app.config["UPLOAD_DIR"]).rglob(items[0].sha256))
    assert len(stored) == 1


def test_an_upload_over_the_size_limit_gets_the_413_page(supplier, app):
    report_id = supplier.new_report()
    app.config["MAX_CONTENT_LENGTH"], limit = 2048, app.config["MAX_CONTENT_LENGTH"]
    try:
        response = upload(supplier.client, report_id, "big.pdf", PDF + b"0" * 4096)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413


def test_the_reviewer_sees_each_sections_evidence_on_the_review_page(supplier, reviewer):
    report_id = supplier.new_report()
    upload(supplier.client, report_id, "电费单.pdf", PDF)
    supplier.fill_minimum(report_id)
    supplier.client.post(f"/reports/{report_id}/submit")
    page = reviewer.get(f"/reports/{report_id}/review").get_data(as_text=True)
    item = db.session.scalars(db.select(Evidence)).one()
    assert f"/evidence/{item.id}" in page and "电费单.pdf" in page
