"""Consent: what a supplier shares by default on joining, changing it, and buyers never seeing each other's data."""

from portal.assessment.models import AssessmentShare
from portal.chains import consent, invitations
from portal.chains.models import ChainInvitation, ReportShare
from portal.extensions import db
from tests.conftest import login
from tests.portal.chains.helpers import accepted_report, link, submitted_assessment


def _join(buyer, supplier, actor):
    result = invitations.invite(buyer, buyer, supplier.credit_code, "s@example.com", actor=actor)
    assert result.outcome == "asked"
    invitation = db.session.scalars(db.select(ChainInvitation).where(
        ChainInvitation.buyer_organisation_id == buyer.id)).one()
    invitations.accept(invitation, supplier, actor=actor)
    db.session.commit()


def _shared_report_ids(buyer):
    return {r.id for r in db.session.scalars(consent.shared_reports(buyer.id))}


def _shared_assessment_ids(buyer):
    return {a.id for a in db.session.scalars(consent.shared_assessments(buyer.id))}


def test_joining_shares_accepted_reports_and_submitted_assessments_with_that_buyer_only(app, make, benchmark):
    buyer_a, buyer_b, supplier = make.org("buyer"), make.org("buyer"), make.org("supplier")
    admin = make.user(supplier)
    report, assessment = accepted_report(supplier), submitted_assessment(supplier, benchmark)
    with app.test_request_context():
        _join(buyer_a, supplier, admin)
    assert _shared_report_ids(buyer_a) == {report.id}
    assert _shared_assessment_ids(buyer_a) == {assessment.id}
    assert _shared_report_ids(buyer_b) == set() and _shared_assessment_ids(buyer_b) == set()


def test_new_data_is_shared_while_share_new_is_on(app, make, benchmark):
    buyer, supplier = make.org("buyer"), make.org("supplier")
    admin = make.user(supplier)
    with app.test_request_context():
        _join(buyer, supplier, admin)
    later = accepted_report(supplier, year=2024)
    later.status = "submitted"
    db.session.commit()
    later.status = "accepted"
    consent.share_new_report(later)
    db.session.commit()
    assert later.id in _shared_report_ids(buyer)


def test_withdrawing_removes_access_at_once(client, make, benchmark, app):
    buyer, supplier = make.org("buyer"), make.org("supplier")
    admin, buyer_user = make.user(supplier), make.user(buyer)
    report, assessment = accepted_report(supplier), submitted_assessment(supplier, benchmark)
    with app.test_request_context():
        _join(buyer, supplier, admin)
    login(client, buyer_user)
    assert client.get(f"/assessments/{assessment.id}/verify").status_code == 200
    client.post("/logout")
    login(client, admin)
    page = client.get("/supply-chain/sharing").get_data(as_text=True)
    assert f'name="report" value="{report.id}" checked' in page
    response = client.post(f"/supply-chain/sharing/{buyer.id}", data={"share_new": "1"})  # nothing ticked
    assert response.status_code == 302
    assert _shared_report_ids(buyer) == set() and _shared_assessment_ids(buyer) == set()
    assert db.session.scalar(db.select(db.func.count()).select_from(ReportShare)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(AssessmentShare)) == 0
    client.post("/logout")
    login(client, buyer_user)
    assert client.get(f"/assessments/{assessment.id}/verify").status_code == 404
    detail = client.get(f"/buyer/suppliers/{supplier.id}").get_data(as_text=True)
    assert report.site.name not in detail


def test_a_supplier_cannot_share_with_a_buyer_outside_its_chains(client, make):
    supplier, stranger = make.org("supplier"), make.org("buyer")
    login(client, make.user(supplier))
    assert client.post(f"/supply-chain/sharing/{stranger.id}", data={"share_new": "1"}).status_code == 404


def test_staff_sees_but_cannot_change_sharing(client, make):
    buyer, supplier = make.org("buyer"), make.org("supplier")
    link(buyer, supplier)
    login(client, make.user(supplier, role="staff"))
    assert client.get("/supply-chain/sharing").status_code == 200
    assert client.post(f"/supply-chain/sharing/{buyer.id}", data={}).status_code == 403


def test_buyer_never_sees_another_buyers_chain_or_unshared_data(client, make, benchmark, app):
    buyer_a, buyer_b = make.org("buyer"), make.org("buyer")
    shared, only_b = make.org("supplier"), make.org("supplier")
    admin = make.user(shared)
    report = accepted_report(shared)
    with app.test_request_context():
        _join(buyer_b, shared, admin)
    link(buyer_b, only_b)
    link(buyer_a, shared)  # in A's chain too, but it shared nothing with A
    login(client, make.user(buyer_a))
    listing = client.get("/buyer/suppliers").get_data(as_text=True)
    assert shared.name_zh in listing and only_b.name_zh not in listing
    assert client.get(f"/buyer/suppliers/{only_b.id}").status_code == 404
    detail = client.get(f"/buyer/suppliers/{shared.id}").get_data(as_text=True)
    assert report.site.name not in detail
    tree = client.get("/supply-chain").get_data(as_text=True)
    assert only_b.name_zh not in tree


def test_submitted_assessment_goes_to_buyers_with_share_new_on_only(app, make, benchmark):
    buyer_on, buyer_off, supplier = make.org("buyer"), make.org("buyer"), make.org("supplier")
    admin = make.user(supplier)
    with app.test_request_context():
        _join(buyer_on, supplier, admin)
        _join(buyer_off, supplier, admin)
    consent.set_choices(supplier, buyer_off, share_new=False, share_progress=False, report_ids=set(),
                        assessment_ids=set(), actor=admin)
    db.session.commit()
    assessment = submitted_assessment(supplier, benchmark)
    consent.share_new_assessment(assessment, actor=admin)
    db.session.commit()
    assert assessment.id in _shared_assessment_ids(buyer_on)
    assert assessment.id not in _shared_assessment_ids(buyer_off)


def test_the_buyer_reads_the_key_figures_of_a_shared_report(app, client, make):
    buyer, supplier = make.org("buyer"), make.org("supplier")
    admin = make.user(supplier)
    report = accepted_report(supplier, year=2023)
    data = {"energy": {"electricity": {"v": "1,234,500", "u": "kWh"}},
            "production": {"output_value": {"v": "1000", "u": "10k_yuan"}}}
    report.data = report.versions[0].data = data
    db.session.commit()
    with app.test_request_context():
        _join(buyer, supplier, admin)  # shares the accepted reports with the buyer
    login(client, make.user(buyer))
    detail = client.get(f"/buyer/suppliers/{supplier.id}").get_data(as_text=True)
    row = detail[detail.index(f"<td>{report.site.name}</td>"):]
    row = row[:row.index("</tr>")]
    # 1,234.5 MWh; 1,234.5 MWh × 0.5306 tCO2/MWh (2023) = 655.026 tCO2; per 1,000 × 10,000 yuan: 0.655
    assert "1,234.5" in row and "655.026" in row and "0.655" in row
    assert "用电量 (兆瓦时)" in detail  # each figure's column names the indicator and its unit
    assert "COD" not in detail  # only the indicators some shared report has a value for
