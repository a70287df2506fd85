"""What suppliers and reviewers do with the imported records: a supplier sees only its own, explains a penalty
with rectification evidence; the authority or its technical agency marks it rectified."""

import io
from datetime import date

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.records import imports, reading
from portal.records.models import PenaltyRecord, RectificationEvidence
from tests.conftest import login
from tests.portal.records.test_record_imports import PENALTIES_HEADER, as_csv

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def import_penalties(*rows):
    imports.apply_rows(reading.read(as_csv(PENALTIES_HEADER, *rows)), actor=None)
    db.session.commit()


def signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


def penalty_of(org) -> PenaltyRecord:
    return db.session.scalars(select(PenaltyRecord).where(PenaltyRecord.credit_code == org.credit_code)).one()


def test_a_supplier_sees_its_own_records_and_another_organisations_answer_404(app, make):
    own, other = make.org("supplier"), make.org("supplier")
    import_penalties([own.credit_code, "2025-05-06", "OWN-1", "废水超标", "罚款5万元", "未整改", ""],
                     [other.credit_code, "2025-05-07", "OTHER-1", "噪声超标", "警告", "未整改", "是"])
    client = signed_in(app, make.user(own, role="staff", locale="en"))
    page = client.get(f"/organisations/{own.id}/records").get_data(as_text=True)
    assert "OWN-1" in page and "OTHER-1" not in page and "not classified" in page
    assert client.get(f"/records/penalties/{penalty_of(own).id}").status_code == 200
    assert client.get(f"/records/penalties/{penalty_of(other).id}").status_code == 404
    assert client.get(f"/organisations/{other.id}/records").status_code == 404
    assert client.get("/records/penalties").status_code == 403
    assert "Credit and penalty records" in client.get("/dashboard").get_data(as_text=True)


def test_a_supplier_explains_a_penalty_with_evidence_that_the_reviewer_can_open(app, make):
    org = make.org("supplier")
    import_penalties([org.credit_code, "2025-05-06", "EXP-1", "废气设施未运行", "罚款3万元", "整改中", ""])
    penalty = penalty_of(org)
    supplier = signed_in(app, make.user(org, locale="en"))
    refused = supplier.post(f"/records/penalties/{penalty.id}/explanations", content_type="multipart/form-data",
                            data={"text": "We fixed it.", "files": [(io.BytesIO(b"MZ\x90\x00"), "tool.exe")]})
    assert refused.status_code == 422
    assert "Only PDF, images" in refused.get_data(as_text=True) and "We fixed it." in refused.get_data(as_text=True)
    response = supplier.post(f"/records/penalties/{penalty.id}/explanations", content_type="multipart/form-data",
                             data={"text": "活性炭已更换，设施于 6 月 20 日恢复运行。",
                                   "files": [(io.BytesIO(PDF), "监测报告.pdf"), (io.BytesIO(PDF), "receipt.pdf")]})
    assert response.status_code == 302
    files = db.session.scalars(select(RectificationEvidence).order_by(RectificationEvidence.id)).all()
    assert [f.filename for f in files] == ["监测报告.pdf", "receipt.pdf"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "records.penalty_explained")).one()
    assert event.organisation_id == org.id and len(event.summary["files"]) == 2

    reviewer = signed_in(app, make.user(make.org("agency"), locale="en"))
    listed = reviewer.get("/records/penalties?show=explained").get_data(as_text=True)
    assert "EXP-1" in listed
    assert "EXP-1" in reviewer.get(f"/records/penalties?show=all&q={org.credit_code[-6:].lower()}").get_data(
        as_text=True)
    assert "EXP-1" not in reviewer.get("/records/penalties?show=all&q=NO_SUCH%25").get_data(as_text=True)
    page = reviewer.get(f"/records/penalties/{penalty.id}").get_data(as_text=True)
    assert "活性炭已更换" in page and "Mark rectified" in page and "Explain this penalty" not in page
    assert reviewer.get(f"/records/evidence/{files[0].id}").data == PDF
    stranger = signed_in(app, make.user(make.org("supplier")))
    assert stranger.get(f"/records/evidence/{files[0].id}").status_code == 404


def test_the_reviewer_marks_a_penalty_rectified_with_a_note_and_a_reimport_keeps_it(app, make, outbox):
    org = make.org("supplier")
    admin = make.user(org, locale="en")
    row = [org.credit_code, "2025-02-03", "RECT-1", "危废贮存不规范", "警告", "未整改", "是"]
    import_penalties(row)
    penalty = penalty_of(org)
    supplier = signed_in(app, admin)
    assert supplier.post(f"/records/penalties/{penalty.id}/rectified", data={"note": "x"}).status_code == 403

    authority = signed_in(app, make.user(make.org("authority"), locale="en"))
    missing_note = authority.post(f"/records/penalties/{penalty.id}/rectified", data={"note": ""})
    assert missing_note.status_code == 422 and "Please say what showed" in missing_note.get_data(as_text=True)
    response = authority.post(f"/records/penalties/{penalty.id}/rectified",
                              data={"note": "现场核查：贮存间已按规范设置标识。", "version_id": penalty.version_id})
    assert response.status_code == 302
    db.session.expire_all()
    penalty = penalty_of(org)
    assert penalty.is_rectified and penalty.rectification_note == "现场核查：贮存间已按规范设置标识。"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "records.penalty_rectified")).one()
    assert event.organisation_id == org.id and event.summary["note"] == "现场核查：贮存间已按规范设置标识。"
    assert [to for to, _subject, _body in outbox()] == [admin.email]
    again = authority.post(f"/records/penalties/{penalty.id}/rectified", data={"note": "again"})
    assert again.status_code == 409

    import_penalties(row)  # the source still says 未整改: the reviewer's finding stands
    db.session.expire_all()
    assert penalty_of(org).is_rectified
    page = supplier.get(f"/records/penalties/{penalty.id}").get_data(as_text=True)
    assert "marked rectified" in page and "Explain this penalty" not in page
    assert penalty_of(org).decided_on == date(2025, 2, 3)
