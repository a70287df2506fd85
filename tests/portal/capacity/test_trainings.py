"""Trainings as the technical agency runs them and suppliers register for them."""

import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook

from portal.capacity.models import Training, TrainingRegistration
from portal.extensions import db
from portal.notifications.models import Notification
from tests.portal.capacity.conftest import shenzhen_input

PDF = b"%PDF-1.4 slides"


def test_a_draft_is_the_agencys_until_it_is_published(world):
    response = world.agency_client.post("/trainings/new", data=world.training_form())
    assert response.status_code == 302
    training = world.current(Training)
    assert training.status == "draft" and training.created_by_id == world.agency_admin.id
    assert world.supplier.get(f"/trainings/{training.id}").status_code == 404
    assert "VOCs 治理实务" not in world.supplier.get("/trainings").get_data(as_text=True)
    world.agency_client.post(f"/trainings/{training.id}/act", data={"action": "publish",
                                                                    "version": training.version_id})
    assert world.current(Training).status == "published"
    page = world.supplier.get("/trainings").get_data(as_text=True)
    assert "VOCs 治理实务" in page and "5 / 5" in page
    # Times are typed and shown in Shenzhen time: 10 days ahead at the same wall-clock minute.
    assert abs(world.current(Training).starts_at - (datetime.now(UTC) + timedelta(days=10))) < timedelta(minutes=2)


def test_the_training_form_says_what_is_wrong_and_keeps_what_was_typed(world):
    form = world.training_form(mode="online", online_link="meeting room 3", capacity="0",
                               registration_deadline="2099-01-01")
    response = world.agency_client.post("/trainings/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "https://" in page and "from 1 to" in page and "on or before the day the training starts" in page
    assert 'value="meeting room 3"' in page and 'value="VOCs 治理实务"' in page
    assert db.session.scalars(db.select(Training)).first() is None


def test_a_start_or_deadline_already_past_is_refused_on_saving_and_publishing(world):
    yesterday = datetime.now(UTC) - timedelta(days=1)
    past = world.training_form(starts_at=shenzhen_input(yesterday), ends_at=shenzhen_input(yesterday + timedelta(
        hours=3)), registration_deadline=(yesterday - timedelta(days=1)).date().isoformat())
    refused = world.agency_client.post("/trainings/new", data=past)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="starts_at-error"' in page and "starts in the future" in page
    assert db.session.scalars(db.select(Training)).first() is None
    late = world.agency_client.post("/trainings/new", data=world.training_form(
        registration_deadline=(datetime.now(UTC) - timedelta(days=2)).date().isoformat()))
    assert late.status_code == 422 and 'id="registration_deadline-error"' in late.get_data(as_text=True)
    # A draft whose day passed meanwhile: publishing says why beside the button, with the way to change it.
    assert world.agency_client.post("/trainings/new", data=world.training_form()).status_code == 302
    training = world.current(Training)
    training.registration_deadline = datetime.now(UTC).date() - timedelta(days=3)
    db.session.commit()
    response = world.agency_client.post(f"/trainings/{training.id}/act",
                                        data={"action": "publish", "version": training.version_id})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="publish-error-1"' in page and "change the last day" in page
    assert f"/trainings/{training.id}/edit" in page and world.current(Training).status == "draft"
    training.starts_at, training.ends_at = yesterday, yesterday + timedelta(hours=3)
    db.session.commit()
    response = world.agency_client.post(f"/trainings/{training.id}/act",
                                        data={"action": "publish", "version": training.version_id})
    assert response.status_code == 422 and "already started" in response.get_data(as_text=True)
    # Saving it again without touching the past dates is not refused for them; new dates make it publishable.
    kept = world.agency_client.post(f"/trainings/{training.id}/edit", data={
        **world.training_form(title="改名"), "starts_at": shenzhen_input(yesterday),
        "ends_at": shenzhen_input(yesterday + timedelta(hours=3)),
        "registration_deadline": training.registration_deadline.isoformat(), "version": training.version_id})
    assert kept.status_code == 302 and world.current(Training).title == "改名"
    training = world.current(Training)
    assert world.agency_client.post(f"/trainings/{training.id}/edit", data={
        **world.training_form(), "version": training.version_id}).status_code == 302
    training = world.current(Training)
    assert world.agency_client.post(f"/trainings/{training.id}/act", data={
        "action": "publish", "version": training.version_id}).status_code == 302


def test_suppliers_cannot_run_trainings(world):
    assert world.supplier.get("/trainings/new").status_code == 403
    assert world.supplier.post("/trainings/new", data=world.training_form()).status_code == 403


def test_a_stale_edit_is_a_conflict_that_keeps_the_typed_text(world):
    training = world.published_training()
    stale = training.version_id
    world.agency_client.post(f"/trainings/{training.id}/edit",
                             data={**world.training_form(title="新标题"), "version": stale})
    response = world.agency_client.post(f"/trainings/{training.id}/edit",
                                        data={**world.training_form(title="我输入的标题"), "version": stale})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "我输入的标题" in page and "Someone else changed this training" in page
    assert world.current(Training).title == "新标题"


def test_registration_never_exceeds_the_seats(world):
    training = world.published_training(capacity="3")
    response = world.supplier.post(f"/trainings/{training.id}/register", data={"attendees": "张三\n李四"})
    assert response.status_code == 302
    other = world.client(world.other_admin)
    refused = other.post(f"/trainings/{training.id}/register", data={"attendees": "王五\n赵六"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Only 1 seat is left" in page and "王五\n赵六" in page  # what was typed stays
    assert other.post(f"/trainings/{training.id}/register", data={"attendees": "王五"}).status_code == 302
    # Changing one's own names counts one's own seats once: 2 → 2 is fine, 2 → 3 is not.
    assert world.supplier.post(f"/trainings/{training.id}/register",
                               data={"attendees": "张三、李四"}).status_code == 302
    assert world.supplier.post(f"/trainings/{training.id}/register",
                               data={"attendees": "张三\n李四\n钱七"}).status_code == 422
    assert world.current(Training, training.id).seats_taken == 3


def test_cancelling_a_registration_frees_its_seats(world):
    training = world.published_training(capacity="2")
    world.supplier.post(f"/trainings/{training.id}/register", data={"attendees": "张三\n李四"})
    registration = world.current(TrainingRegistration)
    other = world.client(world.other_admin)
    assert other.post(f"/trainings/{training.id}/register", data={"attendees": "王五"}).status_code == 422
    staff = world.client(world.staff)  # staff register and cancel for their company too
    assert staff.post(f"/training-registrations/{registration.id}/cancel").status_code == 302
    assert world.current(TrainingRegistration, registration.id).status == "cancelled"
    assert other.post(f"/trainings/{training.id}/register", data={"attendees": "王五"}).status_code == 302
    # Another supplier's registration is not found.
    assert other.post(f"/training-registrations/{registration.id}/cancel").status_code == 404


def test_no_registration_after_the_deadline_or_on_a_cancelled_training(world):
    training = world.published_training()
    training.registration_deadline = datetime.now(UTC).date() - timedelta(days=1)
    db.session.commit()
    response = world.supplier.post(f"/trainings/{training.id}/register", data={"attendees": "张三"})
    assert response.status_code == 422 and "Registration closed" in response.get_data(as_text=True)
    second = world.published_training()
    world.agency_client.post(f"/trainings/{second.id}/act", data={"action": "cancel", "reason": "讲师生病",
                                                                  "version": second.version_id})
    response = world.supplier.post(f"/trainings/{second.id}/register", data={"attendees": "张三"})
    assert response.status_code == 422 and "not open for registration" in response.get_data(as_text=True)
    assert db.session.scalars(db.select(TrainingRegistration)).first() is None


def test_cancelling_tells_the_registered_suppliers_and_needs_a_reason(world, outbox):
    training = world.published_training()
    staff = world.client(world.staff)
    staff.post(f"/trainings/{training.id}/register", data={"attendees": "张三"})
    refused = world.agency_client.post(f"/trainings/{training.id}/act",
                                       data={"action": "cancel", "reason": " ", "version": training.version_id})
    assert refused.status_code == 422 and world.current(Training).status == "published"
    assert 'id="reason-error"' in refused.get_data(as_text=True)  # the message beside the field
    training = world.current(Training)
    world.agency_client.post(f"/trainings/{training.id}/act", data={"action": "cancel", "reason": "场地维修",
                                                                    "version": training.version_id})
    assert world.current(Training).status == "cancelled"
    told = {n.user_id for n in db.session.scalars(db.select(Notification).where(
        Notification.kind == "training.cancelled"))}
    assert told == {world.admin.id, world.staff.id}  # the supplier's admin and the staff member who registered
    assert {to for to, _subject, _body in outbox()} == {world.admin.email, world.staff.email}
    assert "场地维修" in world.supplier.get(f"/trainings/{training.id}").get_data(as_text=True)


def test_materials_and_calendar_files_are_for_those_who_see_the_training(world, make):
    training = world.published_training()
    world.agency_client.post(f"/trainings/{training.id}/materials", data={"file": (io.BytesIO(PDF), "slides.pdf")},
                             content_type="multipart/form-data")
    material = world.current(Training).materials[0]
    response = world.supplier.get(f"/training-materials/{material.id}")
    assert response.status_code == 200 and response.data == PDF
    for kind in ("buyer", "authority"):  # they cannot open the training's page, so not its files either
        outsider = world.client(make.user(make.org(kind)))
        assert outsider.get(f"/training-materials/{material.id}").status_code == 403
        assert outsider.get(f"/trainings/{training.id}/calendar.ics").status_code == 403
    refused = world.agency_client.post(f"/trainings/{training.id}/materials",
                                       data={"file": (io.BytesIO(b"#!/bin/sh"), "x.pdf")},
                                       content_type="multipart/form-data")
    assert refused.status_code == 302 and len(world.current(Training).materials) == 1


def test_the_attendee_list_is_excel_with_formulas_neutralised(world):
    training = world.published_training()
    world.supplier.post(f"/trainings/{training.id}/register", data={"attendees": "=HYPERLINK(\"x\")\n李四"})
    response = world.agency_client.get(f"/trainings/{training.id}/attendees.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    names = [sheet.cell(row=row, column=4).value for row in (5, 6)]
    assert names == ["'=HYPERLINK(\"x\")", "李四"]
    assert sheet.cell(row=5, column=3).value == world.org.credit_code
    assert world.supplier.get(f"/trainings/{training.id}/attendees.xlsx").status_code == 403


def test_attendance_is_taken_after_the_start(world):
    training = world.published_training()
    world.supplier.post(f"/trainings/{training.id}/register", data={"attendees": "张三\n李四"})
    registration = world.current(TrainingRegistration)
    early = world.agency_client.post(f"/trainings/{training.id}/attendance",
                                     data={"present": f"{registration.id}:张三"})
    assert early.status_code == 302 and world.current(TrainingRegistration).attended is None
    page = world.agency_client.get(early.headers["Location"]).get_data(as_text=True)
    assert "Attendance is taken once the training has started." in page
    training = world.current(Training)
    training.starts_at = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    world.agency_client.post(f"/trainings/{training.id}/attendance", data={"present": f"{registration.id}:张三"})
    assert world.current(TrainingRegistration).attended == ["张三"]


def test_the_calendar_file_is_in_utc_with_the_venue(world):
    day = (datetime.now(UTC) + timedelta(days=10)).date()
    training = world.published_training(place="深圳市演示路6号, 三楼", starts_at=f"{day}T09:30",
                                        ends_at=f"{day}T12:00")
    body = world.supplier.get(f"/trainings/{training.id}/calendar.ics").get_data(as_text=True)
    # 09:30 typed in Shenzhen (UTC+8) is 01:30 UTC.
    assert "BEGIN:VEVENT" in body and f"DTSTART:{day:%Y%m%d}T013000Z" in body and f"DTEND:{day:%Y%m%d}T040000Z" in body
    assert "LOCATION:深圳市演示路6号\\, 三楼" in body
    sequence = int(body.split("SEQUENCE:")[1].split("\r\n")[0])
    training = world.current(Training)
    world.agency_client.post(f"/trainings/{training.id}/edit", data={
        **world.training_form(title="改名", starts_at=f"{day}T09:30", ends_at=f"{day}T12:00"),
        "version": training.version_id})
    body = world.supplier.get(f"/trainings/{training.id}/calendar.ics").get_data(as_text=True)
    assert f"SEQUENCE:{sequence + 1}" in body  # calendars replace the event they hold


def test_the_meeting_link_of_an_online_training_is_for_registered_suppliers(world):
    training = world.published_training(mode="online", place="", online_link="https://meeting.example.com/r/42")
    page = world.supplier.get(f"/trainings/{training.id}").get_data(as_text=True)
    ics = world.supplier.get(f"/trainings/{training.id}/calendar.ics").get_data(as_text=True)
    assert "meeting.example.com/r/42" not in page and "meeting.example.com/r/42" not in ics
    world.supplier.post(f"/trainings/{training.id}/register", data={"attendees": "张三"})
    assert "meeting.example.com/r/42" in world.supplier.get(f"/trainings/{training.id}").get_data(as_text=True)
    assert "meeting.example.com/r/42" in world.supplier.get(f"/trainings/{training.id}/calendar.ics").get_data(
        as_text=True)


def test_moving_a_published_training_tells_the_registered_suppliers(world):
    training = world.published_training()
    world.supplier.post(f"/trainings/{training.id}/register", data={"attendees": "张三"})
    training = world.current(Training)
    world.agency_client.post(f"/trainings/{training.id}/edit", data={
        **world.training_form(description="只改说明"), "version": training.version_id})

    def kinds():
        return [n.kind for n in db.session.scalars(db.select(Notification).where(
            Notification.user_id == world.admin.id))]

    assert kinds() == []  # a new description is no news to registrants
    training = world.current(Training)
    later = datetime.now(UTC) + timedelta(days=12)
    world.agency_client.post(f"/trainings/{training.id}/edit", data={
        **world.training_form(starts_at=(later + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
                              ends_at=(later + timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M")),
        "version": training.version_id})
    assert kinds() == ["training.changed"]
