import re
from datetime import timedelta

from portal.auth.models import User
from portal.database import utcnow
from portal.extensions import db
from portal.orgs.models import Invitation
from tests.conftest import PASSWORD, login


def test_admin_invites_a_colleague_who_joins_through_the_link(app, make, outbox):
    org = make.org()
    admin = make.user(org)
    client = app.test_client()
    login(client, admin)
    assert client.post(f"/organisations/{org.id}/invitations",
                       data={"email": "colleague@example.com", "role": "staff"}).status_code == 302
    (to, _subject, body), = outbox()
    assert to == "colleague@example.com"
    path = re.search(r"/invitation/[\w-]+", body).group(0)
    newcomer = app.test_client()
    assert newcomer.post(path, data={"name": "新同事", "password": PASSWORD}).status_code == 302
    member = db.session.scalars(db.select(User).where(User.email == "colleague@example.com")).one()
    assert (member.organisation_id, member.role) == (org.id, "staff")
    assert newcomer.post(path, data={"name": "again", "password": PASSWORD}).status_code == 410


def test_expired_invitation_is_refused(app, make, outbox):
    org = make.org()
    client = app.test_client()
    login(client, make.user(org))
    client.post(f"/organisations/{org.id}/invitations", data={"email": "late@example.com", "role": "staff"})
    invitation = db.session.scalars(db.select(Invitation)).one()
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    path = re.search(r"/invitation/[\w-]+", outbox()[0][2]).group(0)
    assert app.test_client().get(path).status_code == 410


def test_staff_cannot_invite_or_edit_the_profile(app, make):
    org = make.org()
    staff = make.user(org, role="staff")
    client = app.test_client()
    login(client, staff)
    assert client.post(f"/organisations/{org.id}/invitations", data={"email": "x@example.com",
                                                                     "role": "staff"}).status_code == 403
    assert client.get(f"/organisations/{org.id}/edit").status_code == 403
    assert client.get(f"/organisations/{org.id}/members").status_code == 200


def test_last_admin_cannot_demote_or_deactivate_themselves(app, make):
    org = make.org()
    admin = make.user(org)
    client = app.test_client()
    login(client, admin)
    client.post(f"/organisations/{org.id}/members/{admin.id}/role", data={"role": "staff"})
    client.post(f"/organisations/{org.id}/members/{admin.id}/active", data={"active": "0"})
    db.session.refresh(admin)
    assert (admin.role, admin.active) == ("admin", True)
    page = client.get(f"/organisations/{org.id}/members").get_data(as_text=True)
    assert "flash-error" in page


def test_with_a_second_admin_the_first_may_step_down(app, make):
    org = make.org()
    first, second = make.user(org), make.user(org)
    client = app.test_client()
    login(client, first)
    client.post(f"/organisations/{org.id}/members/{first.id}/role", data={"role": "staff"})
    db.session.refresh(first)
    assert first.role == "staff"
    assert second.role == "admin"


def test_deactivated_member_is_signed_out_at_once(app, make):
    org = make.org()
    admin, staff = make.user(org), make.user(org, role="staff")
    staff_client = app.test_client()
    login(staff_client, staff)
    admin_client = app.test_client()
    login(admin_client, admin)
    admin_client.post(f"/organisations/{org.id}/members/{staff.id}/active", data={"active": "0"})
    assert staff_client.get("/dashboard").status_code == 302
    assert staff_client.post("/login", data={"email": staff.email, "password": PASSWORD}).status_code == 401


def test_member_changes_are_audited_with_before_and_after(app, make):
    from portal.audit.models import AuditEvent

    org = make.org()
    first, second = make.user(org), make.user(org)
    client = app.test_client()
    login(client, first)
    client.post(f"/organisations/{org.id}/members/{second.id}/role", data={"role": "staff"})
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "member.role_changed")).one()
    assert (event.actor_id, event.object_id, event.summary) == (first.id, str(second.id),
                                                                  {"role": ["admin", "staff"]})
