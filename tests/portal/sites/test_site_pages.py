"""The sites pages: adding and editing a factory site, with messages beside the fields and nothing typed lost."""

from portal.extensions import db
from portal.sites.models import Site
from tests.conftest import login

VALID = {"name": "宝安一厂", "address": "深圳市宝安区福永街道1号", "district": "440306", "main_products": "电路板",
         "permit_category": "key", "permit_number": "91440300MA5G00001X001P", "permit_expiry": "2028-06-30"}


def _supplier(app, make):
    org = make.org("supplier")
    client = app.test_client()
    login(client, make.user(org))
    return org, client


def _sites(org):
    db.session.expire_all()
    return db.session.scalars(db.select(Site).where(Site.organisation_id == org.id)).all()


def test_a_site_under_key_or_simplified_management_needs_its_permit_number(app, make):
    org, client = _supplier(app, make)
    for category in ("key", "simplified"):
        refused = client.post("/sites/new", data={**VALID, "permit_category": category, "permit_number": ""})
        page = refused.get_data(as_text=True)
        assert refused.status_code == 422 and "重点管理或简化管理" in page and 'id="permit_number-error"' in page
        assert 'value="深圳市宝安区福永街道1号"' in page  # what was typed stays
    assert _sites(org) == []
    registration = client.post("/sites/new", data={**VALID, "permit_category": "registration", "permit_number": ""})
    assert registration.status_code == 302 and [s.permit_category for s in _sites(org)] == ["registration"]
    assert client.post("/sites/new", data={**VALID, "name": "二厂"}).status_code == 302
    assert {s.permit_number for s in _sites(org)} == {None, "91440300MA5G00001X001P"}


def test_a_permit_number_must_be_written_as_printed(app, make):
    org, client = _supplier(app, make)
    refused = client.post("/sites/new", data={**VALID, "permit_number": "许可证 123"})
    assert refused.status_code == 422 and 'id="permit_number-error"' in refused.get_data(as_text=True)
    assert _sites(org) == []


def test_another_companys_site_is_not_found_and_two_editors_do_not_overwrite_each_other(app, make):
    org, client = _supplier(app, make)
    client.post("/sites/new", data=VALID)
    (site,) = _sites(org)
    _other_org, stranger = _supplier(app, make)
    assert stranger.get(f"/sites/{site.id}/edit").status_code == 404
    assert stranger.post(f"/sites/{site.id}/edit", data={**VALID, "name": "别人的厂", "version_id": site.version_id}
                         ).status_code == 404
    version = site.version_id
    assert client.post(f"/sites/{site.id}/edit", data={**VALID, "name": "宝安新厂", "version_id": version}
                       ).status_code == 302
    stale = client.post(f"/sites/{site.id}/edit", data={**VALID, "name": "旧名", "version_id": version})
    assert stale.status_code == 409 and 'value="旧名"' in stale.get_data(as_text=True)
    assert [s.name for s in _sites(org)] == ["宝安新厂"]
