import pytest

from portal.extensions import db
from portal.reports.models import AnnualReport
from portal.sites.models import Site
from tests.conftest import login

MINIMAL = {
    "production": {"output_value": "1200", "output_value__unit": "10k_yuan", "staff": "80", "staff__unit": "person",
                   "operating_days": "300", "operating_days__unit": "day"},
    "energy": {"electricity": "1,234,500", "electricity__unit": "kWh"},
}


class Supplier:
    """A supplier with one site and a signed-in client, and the reviewer of the technical agency."""

    def __init__(self, app, make, permit="registration", district="440306"):
        self.org = make.org("supplier", industry_code="C3982")
        self.admin = make.user(self.org)
        self.site = Site(organisation_id=self.org.id, name="宝安一厂", permit_category=permit, district=district)
        db.session.add(self.site)
        db.session.commit()
        self.client = app.test_client()
        login(self.client, self.admin)

    def new_report(self, year=2024, **extra):
        response = self.client.post("/reports", data={"site_id": self.site.id, "year": year, **extra})
        assert response.status_code == 302, response.get_data(as_text=True)[:400]
        return int(response.headers["Location"].rsplit("/", 1)[1])

    def save(self, report_id, section, values, client=None):
        report = db.session.get(AnnualReport, report_id)
        db.session.refresh(report)
        return (client or self.client).post(f"/reports/{report_id}/sections/{section}",
                                            data={**values, "version": report.version_id})

    def fill_minimum(self, report_id):
        for section, values in MINIMAL.items():
            assert self.save(report_id, section, values).status_code == 302


@pytest.fixture
def supplier(app, make):
    return Supplier(app, make)


@pytest.fixture
def reviewer(app, make):
    agency = make.org("agency")
    client = app.test_client()
    login(client, make.user(agency, email="reviewer-admin@example.com"))
    return client
