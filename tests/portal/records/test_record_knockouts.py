"""Imported records feed the self-assessment: the latest rating and unrectified major violations are facts the
benchmark's knock-outs read; an organisation without records has no such facts."""

import re

from portal.assessment.facts import facts_for
from portal.assessment.models import Benchmark
from portal.assessment.services import seed_programme_benchmark
from portal.extensions import db
from portal.records import imports, reading
from tests.conftest import login
from tests.portal.assessment.test_assessment_pages import all_answers, start
from tests.portal.records.test_record_imports import PENALTIES_HEADER, RATINGS_HEADER, as_csv


def load(*rows):
    imports.apply_rows(reading.read(as_csv(*rows)), actor=None)
    db.session.commit()


def test_record_facts_exist_without_annual_reports_and_only_where_there_are_records(make):
    org = make.org("supplier")
    assert facts_for(org.id) == {}
    load(RATINGS_HEADER, [org.credit_code, 2023, "green", 92, ""], [org.credit_code, 2024, "yellow", "", ""])
    assert facts_for(org.id) == {"credit_rating": "yellow"}
    load(PENALTIES_HEADER, [org.credit_code, "2025-01-02", "KO-1", "v", "罚款100万元", "open", ""])
    assert facts_for(org.id)["unrectified_major_violation"] is False  # a large fine alone is not "major"
    load(PENALTIES_HEADER, [org.credit_code, "2025-01-03", "KO-2", "v", "p", "rectifying", "yes"])
    assert facts_for(org.id)["unrectified_major_violation"] is True
    load(PENALTIES_HEADER, [org.credit_code, "2025-01-03", "KO-2", "v", "p", "rectified", "yes"])
    assert facts_for(org.id)["unrectified_major_violation"] is False


def test_an_imported_red_rating_caps_the_grade_at_d_on_the_scorecard(app, make):
    seed_programme_benchmark()
    db.session.commit()
    benchmark = db.session.scalars(db.select(Benchmark)).one()
    org = make.org("supplier")
    client = app.test_client()
    login(client, make.user(org, locale="en"))
    url = start(client, benchmark)
    client.post(url, data={**all_answers(benchmark), "version": 1})
    assert re.search(r"<h1>[^<]*grade A", client.get(url + "/scorecard").get_data(as_text=True))

    load(RATINGS_HEADER, [org.credit_code, 2024, "红牌", 48, "深圳市生态环境局"])
    page = client.get(url + "/scorecard").get_data(as_text=True)
    assert re.search(r"<h1>[^<]*100(\.00)? / 100 · grade D", page)
    assert "Environmental credit rating is red" in page and "score alone would give A" in page
