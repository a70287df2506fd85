"""Facts from the accepted annual data that prefill the self-assessment: what the data shows, never a guess."""

import pytest

from portal.assessment.facts import facts_for
from portal.extensions import db
from portal.reports.models import AnnualReport, ReportVersion
from portal.sites.models import Site


def _accepted_with_penalties(make, *rectifications):
    org = make.org("supplier")
    site = Site(organisation_id=org.id, name="一厂", permit_category="registration")
    data = {"violations": {"penalties": [
        {"date": {"v": "2025-03-01"}, "authority": {"v": "深圳市生态环境局"}, "decision_number": {"v": f"深环罚{n}"},
         "rectification": {"v": state}} for n, state in enumerate(rectifications)]}}
    report = AnnualReport(organisation_id=org.id, site=site, year=2025, status="accepted", data=data)
    report.versions.append(ReportVersion(number=1, data=data, decision="accepted"))
    db.session.add_all([site, report])
    db.session.commit()
    return org


@pytest.mark.parametrize("rectifications, fact", [
    ((), True),  # no record in the year: "yes"
    (("done", "in_progress"), False),  # one not rectified: "no"
    (("not_started",), False),
])
def test_no_penalty_in_the_year_is_a_fact_the_data_shows(make, rectifications, fact):
    assert facts_for(_accepted_with_penalties(make, *rectifications).id)["violations.none_in_year"] is fact


def test_penalties_all_rectified_leave_the_answer_to_the_supplier(make):
    # The question says "partly" when all are rectified *with evidence*: the data cannot show the evidence.
    assert "violations.none_in_year" not in facts_for(_accepted_with_penalties(make, "done", "done").id)
