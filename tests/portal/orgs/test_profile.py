from portal.extensions import db
from tests.conftest import login


def _form(org, **changes):
    data = {"name_zh": org.name_zh, "district": "440305", "industry_code": "c3982", "contact_phone": "0755-1234567",
            "version_id": str(org.version_id)}
    data.update(changes)
    return data


def test_admin_edits_profile_and_the_change_is_audited(app, make):
    from portal.audit.models import AuditEvent

    org = make.org()
    client = app.test_client()
    login(client, make.user(org))
    assert client.post(f"/organisations/{org.id}/edit", data=_form(org, address="南山区科技园")).status_code == 302
    db.session.refresh(org)
    assert (org.address, org.industry_code, org.district) == ("南山区科技园", "C3982", "440305")
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "org.profile_updated")).one()
    assert event.summary["address"] == [None, "南山区科技园"]


def test_bad_industry_code_is_explained_beside_the_field(app, make):
    org = make.org()
    client = app.test_client()
    login(client, make.user(org))
    response = client.post(f"/organisations/{org.id}/edit", data=_form(org, industry_code="3982x"))
    assert response.status_code == 422
    assert 'id="industry_code-error"' in response.get_data(as_text=True)


def test_concurrent_edit_is_refused_and_keeps_what_the_second_person_typed(app, make):
    org = make.org()
    first, second = app.test_client(), app.test_client()
    login(first, make.user(org))
    login(second, make.user(org))
    stale_version = str(org.version_id)
    assert first.post(f"/organisations/{org.id}/edit",
                      data=_form(org, contact_name="先保存的人")).status_code == 302
    response = second.post(f"/organisations/{org.id}/edit",
                           data=_form(org, contact_name="后保存的人", version_id=stale_version))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'value="后保存的人"' in html  # their input is still in the form
    assert "先保存的人" in html  # and the other person's saved value is shown
    db.session.refresh(org)
    assert org.contact_name == "先保存的人"
