"""Sharing driven by the real workflows: a report accepted by the agency, an assessment submitted by the supplier;
and the Sharing page itself (what it ticks, odd form values, how often it reads the database)."""

from portal.assessment.models import Assessment
from portal.audit.models import AuditEvent
from portal.chains import consent
from portal.chains.demo import load_demo_chains
from portal.chains.links import tier_of
from portal.chains.models import ReportShare
from portal.extensions import db
from tests.conftest import login
from tests.portal.assessment.test_assessment_pages import all_answers, start
from tests.portal.chains.helpers import accepted_report, link, submitted_assessment
from tests.portal.chains.test_consent import _join
from tests.portal.reports.conftest import Supplier


def _shared_report_ids(buyer):
    return {r.id for r in db.session.scalars(consent.shared_reports(buyer.id))}


def _agency_client(app, make):
    client = app.test_client()
    login(client, make.user(make.org("agency")))
    return client


def _accepted_by_the_agency(supplier, reviewer, report_id):
    assert supplier.client.post(f"/reports/{report_id}/submit").status_code == 302
    assert reviewer.post(f"/reports/{report_id}/decision", data={"decision": "accept"}).status_code == 302


def test_an_accepted_report_is_shared_automatically_once_and_a_withdrawn_share_stays_withdrawn(app, make):
    supplier, buyer = Supplier(app, make), make.org("buyer")
    with app.test_request_context():
        _join(buyer, supplier.org, supplier.admin)
    reviewer = _agency_client(app, make)
    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)
    _accepted_by_the_agency(supplier, reviewer, report_id)
    share = db.session.scalars(db.select(ReportShare).where(ReportShare.report_id == report_id)).one()
    assert share.buyer_organisation_id == buyer.id
    assert share.shared_by_id is None  # automatic: not the reviewer who accepted the report
    event = db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.action == "chain.report_shared_automatically")).one()
    assert event.summary["buyers"] == [buyer.id]

    # The supplier withdraws the share, then corrects the report; accepting the correction does not re-share it.
    assert supplier.client.post(f"/supply-chain/sharing/{buyer.id}", data={"share_new": "1"}).status_code == 302
    assert _shared_report_ids(buyer) == set()
    assert supplier.client.post(f"/reports/{report_id}/correct", data={"reason": "电费单漏计12月"}).status_code == 302
    _accepted_by_the_agency(supplier, reviewer, report_id)
    assert _shared_report_ids(buyer) == set()


def test_a_corrected_report_still_shared_stays_shared(app, make):
    supplier, buyer = Supplier(app, make), make.org("buyer")
    with app.test_request_context():
        _join(buyer, supplier.org, supplier.admin)
    reviewer = _agency_client(app, make)
    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)
    _accepted_by_the_agency(supplier, reviewer, report_id)
    supplier.client.post(f"/reports/{report_id}/correct", data={"reason": "更正"})
    assert _shared_report_ids(buyer) == set()  # hidden while it is corrected
    _accepted_by_the_agency(supplier, reviewer, report_id)
    assert _shared_report_ids(buyer) == {report_id}


def test_a_submitted_assessment_is_shared_with_the_chains_that_want_new_data(app, make, benchmark):
    supplier, buyer_on, buyer_off = make.org("supplier"), make.org("buyer"), make.org("buyer")
    admin = make.user(supplier)
    with app.test_request_context():
        _join(buyer_on, supplier, admin)
        _join(buyer_off, supplier, admin)
    client = app.test_client()
    login(client, admin)
    client.post(f"/supply-chain/sharing/{buyer_off.id}", data={})  # no new data for this one
    url = start(client, benchmark)
    client.post(url, data={**all_answers(benchmark), "version": 1})
    assert client.post(url + "/submit").status_code == 302
    assessment = db.session.scalars(db.select(Assessment)).one()
    db.session.refresh(assessment)
    assert assessment.status == "submitted"
    assert {s.buyer_organisation_id for s in assessment.shares} == {buyer_on.id}


def test_without_a_consent_row_nothing_is_ticked_and_nothing_new_is_shared(app, client, make):
    supplier, buyer = Supplier(app, make), make.org("buyer")
    link(buyer, supplier.org)  # a link made without the joining step: no standing choices stored
    page = supplier.client.get("/supply-chain/sharing").get_data(as_text=True)
    assert 'name="share_new" value="1" >' in page and 'name="share_progress" value="1" >' in page
    reviewer = _agency_client(app, make)
    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)
    _accepted_by_the_agency(supplier, reviewer, report_id)
    assert _shared_report_ids(buyer) == set()


def test_odd_ids_in_the_sharing_form_are_ignored(client, make):
    buyer, supplier = make.org("buyer"), make.org("supplier")
    link(buyer, supplier)
    report = accepted_report(supplier)
    login(client, make.user(supplier))
    response = client.post(f"/supply-chain/sharing/{buyer.id}", data={
        "report": ["²", "9" * 5000, str(report.id)], "assessment": ["١٢", "-1"]})
    assert response.status_code == 302
    assert _shared_report_ids(buyer) == {report.id}


def test_the_sharing_page_reads_the_database_a_fixed_number_of_times(app, client, make, benchmark, queries_of):
    supplier = make.org("supplier")
    buyers = [make.org("buyer") for _ in range(2)]
    for buyer in buyers:
        link(buyer, supplier)
    admin = make.user(supplier)
    login(client, admin)

    def add_items(years):
        for year in years:
            assessment = submitted_assessment(supplier, benchmark, year=year)
            with app.test_request_context():
                consent.set_items(supplier, buyers[0], {accepted_report(supplier, year=year).id}, {assessment.id},
                                  actor=admin, only_add=True)
            db.session.commit()

    add_items([2020])
    response, few = queries_of(client, "/supply-chain/sharing")
    assert response.status_code == 200
    add_items([2021, 2022, 2023, 2024])
    _response, many = queries_of(client, "/supply-chain/sharing")
    assert many == few


def test_the_demo_chain_loads_when_a_supplier_has_no_admin(app, make):
    orgs = {key: make.org("buyer" if key == "buyer" else "supplier") for key in ("buyer", "supplier", "tier2",
                                                                                  "supplier2")}
    accepted_report(orgs["supplier"])
    with app.test_request_context():
        assert load_demo_chains(orgs) == 5
        db.session.commit()
    assert tier_of(orgs["buyer"].id, orgs["tier2"].id) == 2
    assert len(_shared_report_ids(orgs["buyer"])) == 1
