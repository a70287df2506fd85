"""Expert review: at least three experts of the technical agency, each declares no conflict of interest or
recuses, scores the rubric with comments; the panel score is the trimmed mean with five or more scores and the
median otherwise; the review closes only when it is complete."""

from decimal import Decimal

from portal.extensions import db
from portal.funding.review import panel_score
from portal.notifications.models import Notification
from tests.portal.funding.conftest import split_score


def test_panel_score_with_five_scores_drops_the_highest_and_lowest():
    # 60, 70, 75, 80, 95 -> (70 + 75 + 80) / 3 = 75
    assert panel_score([Decimal(v) for v in (95, 70, 60, 80, 75)]) == Decimal("75.00")
    # 60, 71, 72, 80, 99, 100 -> (71 + 72 + 80 + 99) / 4 = 80.5
    assert panel_score([Decimal(v) for v in (60, 71, 72, 80, 99, 100)]) == Decimal("80.50")


def test_panel_score_with_three_or_four_scores_is_the_median():
    assert panel_score([Decimal(v) for v in (90, 60, 70)]) == Decimal("70.00")
    # 60, 70, 81, 90 -> (70 + 81) / 2 = 75.5
    assert panel_score([Decimal(v) for v in (90, 60, 70, 81)]) == Decimal("75.50")


def test_fewer_than_three_experts_cannot_be_assigned(funding):
    url = funding.apply()
    funding.to_expert_review(url)
    response = funding.authority.post(url + "/experts", data={"expert_id": [e.id for e in funding.experts[:2]]})
    assert response.status_code == 302 and not funding.current().assignments
    # A supplier or a non-expert may not assign, nor close the review early.
    assert funding.supplier.post(url + "/experts", data={"expert_id": [funding.experts[0].id]}).status_code == 403
    funding.authority.post(url + "/experts", data={"expert_id": [e.id for e in funding.experts[:3]]})
    assert len(funding.current().assignments) == 3
    assert funding.act(funding.authority, url, "close_review").status_code == 409


def test_an_expert_who_recuses_is_replaced_and_does_not_count(funding):
    url = funding.apply()
    funding.to_expert_review(url)
    funding.authority.post(url + "/experts", data={"expert_id": [e.id for e in funding.experts[:3]]})
    first = funding.client(funding.experts[0])
    # Scoring before declaring is refused.
    response = first.post(url + "/scores", data=split_score(80) | {"comments": "x"})
    assert response.status_code == 422
    refused = first.post(url + "/declaration", data={"conflict": "yes", "declaration_note": ""})
    assert refused.status_code == 422 and 'id="declaration_note-error"' in refused.get_data(as_text=True)
    assert funding.current().assignments[0].status == "assigned"  # a recusal says what the conflict is
    first.post(url + "/declaration", data={"conflict": "yes", "declaration_note": "曾为申请单位提供咨询"})
    assert funding.current().assignments[0].status == "recused"
    assert first.post(url + "/scores", data=split_score(80) | {"comments": "x"}).status_code == 403
    for expert, total in zip(funding.experts[1:3], (70, 90), strict=True):
        client = funding.client(expert)
        client.post(url + "/declaration", data={"conflict": "no"})
        client.post(url + "/scores", data=split_score(total) | {"comments": "意见"})
    page = funding.act(funding.authority, url, "close_review")
    assert page.status_code == 409  # only two experts without a conflict
    funding.authority.post(url + "/experts", data={"expert_id": [funding.experts[3].id]})
    fourth = funding.client(funding.experts[3])
    fourth.post(url + "/declaration", data={"conflict": "no"})
    fourth.post(url + "/scores", data=split_score(80) | {"comments": "意见"})
    assert funding.act(funding.authority, url, "close_review").status_code == 302
    assert funding.current().panel_score == Decimal("80")  # median of 70, 80, 90
    # The agency organises the site check: its members see it waiting on their dashboard and record it, except the
    # one who declared a conflict of interest.
    assert "/funding/queue?status=site_verification" in fourth.get("/dashboard").get_data(as_text=True)
    assert "status=site_verification" not in funding.authority.get("/dashboard").get_data(as_text=True)
    assert "status=site_verification" not in first.get("/dashboard").get_data(as_text=True)  # recused
    assert funding.act(first, url, "verify_site", "现场核查").status_code == 409
    told = {e.id: db.session.scalars(db.select(Notification.kind).where(Notification.user_id == e.id)).all()
            for e in funding.experts}
    assert "funding.site_check_due" in told[funding.experts[3].id]
    assert "funding.site_check_due" not in told[funding.experts[0].id]  # recused: not asked to the site either
    assert funding.act(fourth, url, "verify_site", "现场核查：设施运行正常").status_code == 302
    assert funding.current().status == "decision"


def test_an_expert_declares_explicitly_and_no_answer_is_assumed(funding):
    url = funding.apply()
    funding.to_expert_review(url)
    funding.authority.post(url + "/experts", data={"expert_id": [e.id for e in funding.experts[:3]]})
    expert = funding.client(funding.experts[0])
    page = expert.get(url).get_data(as_text=True)
    assert 'id="conflict-no"' in page and 'value="no" checked' not in page and 'value="yes" checked' not in page
    refused = expert.post(url + "/declaration", data={"declaration_note": ""})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="conflict-error"' in html
    assert funding.current().assignments[0].status == "assigned" and funding.current().assignments[0].declared_at \
        is None
    assert expert.post(url + "/declaration", data={"conflict": "maybe"}).status_code == 422
    assert expert.post(url + "/declaration", data={"conflict": "no"}).status_code == 302
    assert funding.current().assignments[0].status == "declared"


def test_scores_outside_the_rubric_are_refused_beside_the_field_and_kept(funding):
    url = funding.apply()
    funding.to_expert_review(url)
    funding.authority.post(url + "/experts", data={"expert_id": [e.id for e in funding.experts[:3]]})
    expert = funding.client(funding.experts[0])
    expert.post(url + "/declaration", data={"conflict": "no"})
    response = expert.post(url + "/scores", data={"score__c1": "35", "score__c2": "20", "score__c3": "10",
                                                   "score__c4": "10", "comments": "我的评审意见"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="score__c1-error"' in html
    assert 'value="35"' in html and "我的评审意见" in html


def test_five_experts_give_the_trimmed_mean_and_no_scorer_decides(funding, make):
    url = funding.apply()
    funding.to_expert_review(url)
    funding.review_by(url, [60, 70, 75, 80, 95])
    assert funding.current().panel_score == Decimal("75")
    funding.act(funding.authority, url, "verify_site", "正常")
    # An expert who later joined the authority still cannot decide what they scored.
    scorer = db.session.get(type(funding.experts[0]), funding.experts[0].id)
    scorer.organisation_id = funding.authority_user.organisation_id
    db.session.commit()
    moved = funding.client(scorer)
    assert funding.act(moved, url, "approve", "", amount="1000000").status_code == 409
    assert funding.current().status == "decision"
    assert funding.act(funding.authority, url, "approve", "", amount="1000000").status_code == 302
