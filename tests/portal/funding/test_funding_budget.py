"""The sum of approved amounts never exceeds the programme's budget, also when decisions arrive together."""

import threading
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.funding.models import FundingApplication
from tests.conftest import is_postgres


def _applications_at_decision(funding, make, count):
    urls = []
    for n in range(count):
        org = make.org("supplier", district="440306")
        admin = make.user(org)
        client = funding.client(admin)
        plan = funding.completed_plan(Decimal("800000"), Decimal("0"), org=org)
        url = funding.apply(plan, client=client)
        funding.upload_materials(url, client=client)
        assert funding.act(client, url, "submit").status_code == 302
        funding.act(funding.authority, url, "pass_check")
        funding.review_by(url, [70 + n % 3, 80, 90])
        funding.act(funding.authority, url, "verify_site", "正常")
        urls.append(url)
    return urls


def test_an_approval_beyond_the_budget_is_refused(funding, make):
    funding.programme.budget = Decimal("1000000")
    db.session.commit()
    first, second, third = _applications_at_decision(funding, make, 3)
    assert funding.act(funding.authority, first, "approve", "", amount="400000").status_code == 302
    assert funding.act(funding.authority, second, "approve", "", amount="400000").status_code == 302
    refused = funding.act(funding.authority, third, "approve", "", amount="400000")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "200,000" in page  # what is left, beside the amount typed
    assert 'id="amount-approve-error"' in page and 'value="400000"' in page
    assert funding.act(funding.authority, third, "approve", "", amount="200000").status_code == 302


@pytest.mark.postgres_only
@pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL: SQLite serialises writers anyway")
def test_parallel_approvals_never_exceed_the_budget(funding, make, app):
    funding.programme.budget = Decimal("1000000")
    db.session.commit()
    urls = _applications_at_decision(funding, make, 6)
    versions = {url: funding.current(int(url.rsplit("/", 1)[1])).version_id for url in urls}
    clients = [funding.client(funding.authority_user) for _ in urls]
    barrier, codes = threading.Barrier(len(urls)), []

    def approve(client, url):
        barrier.wait()
        response = client.post(url + "/act", data={"action": "approve", "amount": "400000", "comment": "",
                                                   "version": versions[url]})
        codes.append(response.status_code)

    threads = [threading.Thread(target=approve, args=pair) for pair in zip(clients, urls, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    approved = db.session.scalars(db.select(FundingApplication.approved_amount).where(
        FundingApplication.status == "approved")).all()
    assert sum(approved) <= Decimal("1000000")
    assert len(approved) == 2 and sorted(codes) == [302, 302, 422, 422, 422, 422]  # the budget, beside the amount
