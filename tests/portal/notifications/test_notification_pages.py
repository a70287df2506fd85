"""notify(), the bell in the navigation and the notification list, as the people notified use them."""

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.extensions import db
from portal.notifications import notify
from portal.notifications.models import Notification
from portal.notifications.services import unread_count
from tests.conftest import login
from tests.portal.notifications.conftest import kinds_of


@pytest.fixture
def people(app, make):
    org = make.org("supplier")
    admin, staff, gone = make.user(org, locale="en"), make.user(org, role="staff"), make.user(org, active=False)
    other = make.user(make.org("supplier"))
    client = app.test_client()
    login(client, admin)
    return {"admin": admin, "staff": staff, "gone": gone, "other": other, "client": client, "app": app}


def send(app, users, kind="funding.status", link="/funding", mail_template=None, **params):
    with app.test_request_context():
        notify(users, kind, link=link, mail_template=mail_template, **{"ref": "ZX-1", "status": "returned", **params})
        db.session.commit()


def test_notify_tells_each_active_recipient_once_and_mails_them(people, outbox):
    admin, staff, gone = people["admin"], people["staff"], people["gone"]
    send(people["app"], [admin, staff, admin, gone], mail_template="notification")
    assert kinds_of(admin) == ["funding.status"] and kinds_of(staff) == ["funding.status"]
    assert kinds_of(gone) == [] and kinds_of(people["other"]) == []
    mails = {to: (subject, body) for to, subject, body in outbox()}
    assert set(mails) == {admin.email, staff.email}
    # In each reader's language, with the portal address of the link.
    assert mails[admin.email][0] == "Funding application ZX-1 is now: Returned."
    assert f"{people['app'].config['PORTAL_BASE_URL']}/funding" in mails[admin.email][1]
    assert "ZX-1" in mails[staff.email][0] and "Funding application" not in mails[staff.email][0]


def test_the_message_is_rendered_in_the_readers_language_from_plain_parameters(people):
    send(people["app"], [people["admin"]], **{"org": people["other"]})  # an object is for the e-mail only
    note = db.session.scalars(select(Notification)).one()
    assert note.params == {"ref": "ZX-1", "status": "returned"}
    with people["app"].test_request_context():
        with force_locale("en"):
            assert note.message == "Funding application ZX-1 is now: Returned."
        with force_locale("zh"):
            assert "ZX-1" in note.message and "Funding" not in note.message


def test_an_unknown_kind_is_refused(people):
    with people["app"].test_request_context(), pytest.raises(KeyError):
        notify([people["admin"]], "no.such.kind", link="/")


def test_the_bell_shows_the_unread_count_in_words_too(people):
    client = people["client"]
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/notifications"' in page and "bell-count" not in page
    send(people["app"], [people["admin"]])
    send(people["app"], [people["admin"]])
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'class="badge bell-count">2<span class="visually-hidden"> unread</span>' in page


def test_the_bell_costs_one_count_query_per_page(people, queries_of):
    send(people["app"], [people["admin"]])
    # The list shows the count twice: the bell and "mark all read".
    page, statements = queries_of(people["client"], "/notifications", statements=True)
    assert page.status_code == 200 and "Mark all as read" in page.get_data(as_text=True)
    counts = [s for s in statements if "count" in s.lower() and "notifications" in s and "read_at IS NULL" in s]
    assert len(counts) == 1


def test_the_list_is_newest_first_with_unread_marked_and_only_ones_own(people):
    send(people["app"], [people["admin"]], ref="ZX-OLD")
    send(people["app"], [people["admin"]], ref="ZX-NEW")
    send(people["app"], [people["other"]], ref="ZX-FOREIGN")
    page = people["client"].get("/notifications").get_data(as_text=True)
    assert page.index("ZX-NEW") < page.index("ZX-OLD") and "ZX-FOREIGN" not in page
    assert page.count(">Unread</span>") == 2


def test_opening_one_marks_it_read_and_goes_to_its_link(people):
    send(people["app"], [people["admin"]], link="/funding/applications/7")
    note = db.session.scalars(select(Notification)).one()
    response = people["client"].get(f"/notifications/{note.id}")
    assert response.status_code == 302 and response.headers["Location"] == "/funding/applications/7"
    db.session.refresh(note)
    assert note.read_at is not None and unread_count(people["admin"].id) == 0
    assert ">Unread</span>" not in people["client"].get("/notifications").get_data(as_text=True)


def test_another_persons_notification_is_not_found(people):
    send(people["app"], [people["other"]])
    foreign = db.session.scalars(select(Notification)).one()
    assert people["client"].get(f"/notifications/{foreign.id}").status_code == 404
    db.session.refresh(foreign)
    assert foreign.read_at is None


def test_a_link_that_leaves_the_portal_is_not_followed(people):
    send(people["app"], [people["admin"]], link="//evil.example.com/")
    note = db.session.scalars(select(Notification)).one()
    assert people["client"].get(f"/notifications/{note.id}").headers["Location"] == "/notifications"


def test_mark_all_read_clears_the_bell_and_leaves_others_unread(people):
    send(people["app"], [people["admin"], people["other"]])
    send(people["app"], [people["admin"]])
    response = people["client"].post("/notifications/read")
    assert response.status_code == 302
    assert unread_count(people["admin"].id) == 0 and unread_count(people["other"].id) == 1
    assert "bell-count" not in people["client"].get("/dashboard").get_data(as_text=True)


def test_mark_all_read_says_how_many_in_the_right_form(people):
    send(people["app"], [people["admin"]])
    page = people["client"].post("/notifications/read", follow_redirects=True).get_data(as_text=True)
    assert "1 notification marked as read." in page
    send(people["app"], [people["admin"]])
    send(people["app"], [people["admin"]])
    page = people["client"].post("/notifications/read", follow_redirects=True).get_data(as_text=True)
    assert "2 notifications marked as read." in page
