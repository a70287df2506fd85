import re

from portal.auth.models import User
from portal.extensions import db
from portal.orgs.models import JoinRequest, Organisation
from tests.conftest import PASSWORD, credit_code, login


def _registration(**overrides):
    data = {"credit_code": credit_code(), "name_zh": "深圳市新注册科技有限公司", "district": "440306",
            "person_name": "注册人", "email": "founder@example.com", "password": PASSWORD}
    data.update(overrides)
    return data


def test_supplier_registers_and_becomes_its_admin(client, make):
    data = _registration()
    response = client.post("/register", data=data)
    assert response.status_code == 302
    org = db.session.scalars(db.select(Organisation).where(Organisation.credit_code == data["credit_code"])).one()
    user = db.session.scalars(db.select(User).where(User.email == "founder@example.com")).one()
    assert (org.kind, user.organisation_id, user.role) == ("supplier", org.id, "admin")
    assert client.get("/dashboard").status_code == 200


def test_wrong_check_character_says_so_and_keeps_everything_typed(client):
    code = credit_code()
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    response = client.post("/register", data=_registration(credit_code=bad))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'value="{bad}"' in html and 'value="深圳市新注册科技有限公司"' in html
    assert code[17] in re.search(r'id="credit_code-error"[^>]*>([^<]+)<', html).group(1)


def test_forbidden_letter_is_named_with_its_position(client):
    response = client.post("/register", data=_registration(credit_code="91440300MA5F00000O"))
    message = re.search(r'id="credit_code-error"[^>]*>([^<]+)<', response.get_data(as_text=True)).group(1)
    assert "18" in message and "O" in message


def test_existing_code_offers_to_join_and_the_admin_approves(app, make, outbox):
    org = make.org(name_zh="已注册企业")
    admin = make.user(org, email="orgadmin@example.com")
    client = app.test_client()
    data = _registration(credit_code=org.credit_code, email="newcomer@example.com")
    offered = client.post("/register", data=data)
    assert offered.status_code == 422
    assert 'name="join"' in offered.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Organisation)) == 1

    asked = client.post("/register", data={**data, "join": "y"})
    assert asked.status_code == 302
    assert [m[0] for m in outbox()] == ["orgadmin@example.com"]
    join_request = db.session.scalars(db.select(JoinRequest)).one()

    admin_client = app.test_client()
    login(admin_client, admin)
    decided = admin_client.post(f"/organisations/{org.id}/join-requests/{join_request.id}",
                                data={"decision": "approve"})
    assert decided.status_code == 302
    login(app.test_client(), "newcomer@example.com")
    joined = db.session.scalars(db.select(User).where(User.email == "newcomer@example.com")).one()
    assert (joined.organisation_id, joined.role) == (org.id, "staff")


def test_email_already_used_is_refused_beside_the_field(client, make):
    make.user(make.org(), email="taken@example.com")
    response = client.post("/register", data=_registration(email="taken@example.com"))
    assert response.status_code == 422
    assert 'id="email-error"' in response.get_data(as_text=True)
