"""Scoring a self-assessment: hand-computed totals, knock-out caps, the gaps worth closing first, and the
properties every benchmark must keep (0..100, better answers never score less, caps always hold)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.assessment.benchmark import from_dict
from portal.assessment.scoring import gaps, question_maxima, score

BANDS = [{"grade": "A", "min": 85, "label_zh": "优秀", "label_en": "Excellent"},
         {"grade": "B", "min": 70, "label_zh": "良好", "label_en": "Good"},
         {"grade": "C", "min": 55, "label_zh": "合格", "label_en": "Adequate"},
         {"grade": "D", "min": 0, "label_zh": "待改进", "label_en": "Needs improvement"}]
GRADES = [band["grade"] for band in BANDS]


def q(qid, kind="yes_partly_no", weight=1, effort="medium", **extra):
    return {"id": qid, "type": kind, "text_zh": qid, "text_en": qid, "weight": weight, "evidence": "optional",
            "effort": effort, "improve_zh": f"改进{qid}", "improve_en": f"Improve {qid}", **extra}


def benchmark(sections, knockouts=()):
    return from_dict({"id": "t", "version": 1, "owner": "programme", "title_zh": "测", "title_en": "T",
                      "grade_bands": BANDS, "knockouts": list(knockouts),
                      "sections": [{"id": sid, "title_zh": sid, "title_en": sid, "weight": weight,
                                    "questions": questions} for sid, weight, questions in sections]})


def knockout(kid, when, cap):
    return {"id": kid, "when": when, "cap": cap, "reason_zh": f"原因{kid}", "reason_en": f"Reason {kid}"}


REDUCTION = {"thresholds": [{"min": 5, "points": 1}, {"min": 2, "points": 0.6}, {"min": 0, "points": 0.3}],
             "unit": "percent"}
KNOCKOUTS = [knockout("KO-red", {"fact": "credit_rating", "in": ["red"]}, "D"),
             knockout("KO-violation", {"fact": "unrectified_major_violation", "equals": True}, "C"),
             knockout("KO-no-permit", {"question": "Q1", "in": ["no"]}, "D")]
# S1 (60): Q1 weight 1 → max 60 × 1/4 = 15; Q2 weight 3 → max 60 × 3/4 = 45.  S2 (40): Q3 alone → max 40.
TINY = benchmark([("S1", 60, [q("Q1", effort="low"), q("Q2", weight=3, effort="high")]),
                  ("S2", 40, [q("Q3", "number", **REDUCTION)])], KNOCKOUTS)
FULL_MARKS = {"Q1": "yes", "Q2": "yes", "Q3": Decimal("7")}


def test_the_total_is_the_weighted_sum_of_points():
    card = score(TINY, {"Q1": "yes", "Q2": "partly", "Q3": "3"})
    # Q1 yes 1 × 15 = 15; Q2 partly 0.5 × 45 = 22.5; Q3 = 3 reaches min 2 → 0.6 × 40 = 24.  15 + 22.5 + 24 = 61.5
    assert card.total == Decimal("61.50")
    assert card.grade == card.uncapped_grade == "C"
    assert [(s.section_id, s.score, s.max) for s in card.sections] == [
        ("S1", Decimal("37.50"), Decimal("60.00")), ("S2", Decimal("24.00"), Decimal("40.00"))]
    q1, q2, q3 = card.questions
    assert (q1.points, q1.earned, q1.max, q1.lost, q1.reason_lost) == (1, 15, 15, 0, None)
    assert (q2.points, q2.earned, q2.max, q2.lost, q2.reason_lost) == (Decimal("0.5"), Decimal("22.5"), 45,
                                                                       Decimal("22.5"), "partly")
    assert (q3.answer, q3.points, q3.earned, q3.lost, q3.reason_lost) == (Decimal(3), Decimal("0.6"), 24, 16,
                                                                          "below_threshold")


def test_unanswered_questions_score_nothing_and_say_so():
    card = score(TINY, {"Q1": "no", "Q2": None, "Q3": ""})
    assert card.total == 0 and card.grade == "D"
    assert [(x.unanswered, x.reason_lost) for x in card.questions] == [
        (False, "answer_no"), (True, "unanswered"), (True, "unanswered")]


@pytest.mark.parametrize("value, points", [("5", 1), ("4.99", "0.6"), ("2", "0.6"), ("0", "0.3"), ("-1", 0)])
def test_a_number_gets_the_points_of_the_first_threshold_it_reaches(value, points):
    assert score(TINY, {"Q3": value}).question("Q3").points == Decimal(points)


@pytest.mark.parametrize("value, points, reason", [("0.5", 1, None), ("0.8", "0.5", "above_threshold"),
                                                   ("1.2", 0, "above_threshold")])
def test_when_lower_is_better_the_first_max_reached_counts(value, points, reason):
    intensity = benchmark([("S", 100, [q("Q", "number", higher_is_better=False,
                                         thresholds=[{"max": 0.5, "points": 1}, {"max": 1, "points": 0.5}])])])
    result = score(intensity, {"Q": Decimal(value)}).question("Q")
    assert (result.points, result.reason_lost) == (Decimal(points), reason)


def test_a_choice_scores_its_option_points():
    choice = benchmark([("S", 100, [q("Q", "choice", options=[
        {"value": "none", "label_zh": "无", "label_en": "None", "points": 0},
        {"value": "some", "label_zh": "部分", "label_en": "Some", "points": 0.25},
        {"value": "all", "label_zh": "全部", "label_en": "All", "points": 1}])])])
    assert score(choice, {"Q": "some"}).total == Decimal("25.00")
    assert score(choice, {"Q": "some"}).question("Q").reason_lost == "option_lower"
    assert score(choice, {"Q": "all"}).total == Decimal("100.00")


def test_an_answer_the_question_cannot_have_is_an_error_not_a_silent_zero():
    with pytest.raises(ValueError, match="Q1"):
        score(TINY, {"Q1": "maybe"})
    with pytest.raises(ValueError, match="Q3"):
        score(TINY, {"Q3": "about ten"})


def test_thirds_round_only_for_display():
    thirds = benchmark([("S", 100, [q("A"), q("B"), q("C")])])
    card = score(thirds, {"A": "yes", "B": "yes", "C": "yes"})
    # 100/3 = 33.33… each; the exact sum is 100, so the total is 100.00 and not 99.99.
    assert [x.max for x in card.questions] == [Decimal("33.33")] * 3
    assert card.total == Decimal("100.00") and card.grade == "A"
    assert sum(question_maxima(thirds).values()) == 100


def test_full_marks_get_the_top_grade():
    card = score(TINY, FULL_MARKS)
    assert (card.total, card.grade, card.knockouts) == (Decimal("100.00"), "A", ())


def test_a_red_credit_rating_caps_the_grade_even_with_full_marks():
    card = score(TINY, FULL_MARKS, {"credit_rating": "red"})
    assert (card.total, card.uncapped_grade, card.grade) == (Decimal("100.00"), "A", "D")
    (applied,) = card.knockouts
    assert (applied.knockout_id, applied.cap, applied.reason_en) == ("KO-red", "D", "Reason KO-red")


def test_two_knockouts_cap_at_the_lowest():
    card = score(TINY, FULL_MARKS, {"credit_rating": "red", "unrectified_major_violation": True})
    assert card.grade == "D"
    assert [k.knockout_id for k in card.knockouts] == ["KO-red", "KO-violation"]
    assert score(TINY, FULL_MARKS, {"unrectified_major_violation": True}).grade == "C"


def test_a_knockout_never_raises_the_grade():
    card = score(TINY, {"Q1": "yes"}, {"unrectified_major_violation": True})
    # 15 points → D; the cap C does not lift it.
    assert (card.uncapped_grade, card.grade) == ("D", "D")


@pytest.mark.parametrize("facts", [None, {}, {"credit_rating": None}, {"credit_rating": "green"},
                                   {"unrectified_major_violation": 1}, {"unrectified_major_violation": "true"}])
def test_an_unknown_or_other_fact_does_not_cap(facts):
    card = score(TINY, FULL_MARKS, facts)
    assert (card.grade, card.knockouts) == ("A", ())


def test_an_answer_can_trigger_a_knockout():
    answers = {**FULL_MARKS, "Q1": "no"}
    card = score(TINY, answers)
    # 100 − Q1's 15 = 85 → A before the cap
    assert (card.total, card.uncapped_grade, card.grade) == (Decimal("85.00"), "A", "D")
    assert score(TINY, {**FULL_MARKS, "Q1": None}).knockouts == ()


def test_gaps_rank_points_per_effort():
    card = score(TINY, {"Q1": "yes", "Q2": "partly", "Q3": "3"})
    # Q3 lost 16 at medium effort (2) → 8 per effort; Q2 lost 22.5 at high effort (3) → 7.5; Q1 lost nothing.
    found = gaps(TINY, card)
    assert [(g.question_id, g.lost, g.effort) for g in found] == [("Q3", 16, "medium"), ("Q2", Decimal("22.5"),
                                                                                         "high")]
    assert (found[0].improve_en, found[0].improve_zh, found[0].reason_lost) == ("Improve Q3", "改进Q3",
                                                                               "below_threshold")
    assert [g.question_id for g in gaps(TINY, card, limit=1)] == ["Q3"]


def test_gaps_with_equal_gain_per_effort_put_more_points_then_the_id_first():
    # Each section weight 20: L1 and L2 low effort lose 20 (20 per effort); M medium loses 40 in a 40 section.
    bench = benchmark([("S1", 20, [q("L2", effort="low")]), ("S2", 20, [q("L1", effort="low")]),
                       ("S3", 40, [q("M", effort="medium")]), ("S4", 20, [q("H", effort="high")])])
    found = gaps(bench, score(bench, {"H": "yes"}))
    assert [(g.question_id, g.lost) for g in found] == [("M", 40), ("L1", 20), ("L2", 20)]


# -- properties over any valid benchmark ---------------------------------------------------------------------

points = st.decimals(min_value=0, max_value=1, places=2)


@st.composite
def questions(draw, qid):
    kind = draw(st.sampled_from(["yes_partly_no", "choice", "number"]))
    extra = {}
    if kind == "choice":
        values = draw(st.lists(points, min_size=0, max_size=3))
        extra["options"] = [{"value": f"o{i}", "label_zh": "选", "label_en": "Option", "points": float(p)}
                            for i, p in enumerate([*values, Decimal(1)])]
    if kind == "number":
        higher = draw(st.booleans())
        bounds = sorted(draw(st.sets(st.integers(-50, 50), min_size=1, max_size=3)), reverse=higher)
        scores = sorted(draw(st.lists(points, min_size=len(bounds), max_size=len(bounds))), reverse=True)
        key = "min" if higher else "max"
        extra.update(higher_is_better=higher, thresholds=[{key: b, "points": float(p)}
                                                          for b, p in zip(bounds, scores, strict=True)])
    weight = draw(st.one_of(st.integers(1, 10), st.decimals(min_value=Decimal("0.1"), max_value=5, places=1)))
    return q(qid, kind, weight=float(weight) if isinstance(weight, Decimal) else weight,
             effort=draw(st.sampled_from(["low", "medium", "high"])), **extra)


@st.composite
def benchmarks(draw, knockouts=()):
    count = draw(st.integers(1, 4))
    cuts = sorted(draw(st.sets(st.integers(1, 99), min_size=count - 1, max_size=count - 1)))
    weights = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    sections = []
    for s, weight in enumerate(weights):
        size = draw(st.integers(1, 4))
        sections.append((f"S{s}", weight, [draw(questions(f"Q{s}.{i}")) for i in range(size)]))
    return benchmark(sections, knockouts)


def any_answer(question):
    if question.type == "yes_partly_no":
        return st.sampled_from([None, "no", "partly", "yes"])
    if question.type == "choice":
        return st.one_of(st.none(), st.sampled_from([o.value for o in question.options]))
    return st.one_of(st.none(), st.decimals(min_value=-100, max_value=100, places=2))


@st.composite
def answered(draw, knockouts=()):
    bench = draw(benchmarks(knockouts))
    return bench, {x.id: draw(any_answer(x)) for x in bench.questions()}


@settings(max_examples=200, deadline=None)
@given(answered())
def test_the_total_is_always_between_0_and_100(case):
    bench, answers = case
    card = score(bench, answers)
    assert 0 <= card.total <= 100
    assert all(0 <= x.earned <= x.max and x.lost >= 0 for x in card.questions)


@settings(max_examples=100, deadline=None)
@given(benchmarks())
def test_the_question_maxima_add_up_to_100(bench):
    assert sum(question_maxima(bench).values()) == 100
    card = score(bench, {})
    assert sum(s.max for s in card.sections) == 100
    # each shown maximum is rounded to the cent, so their sum is within half a cent per question of 100
    assert abs(sum(x.max for x in card.questions) - 100) <= Decimal("0.005") * len(card.questions)


def better_pair(question, draw):
    if question.type == "yes_partly_no":
        order = [None, "no", "partly", "yes"]
        low, high = sorted(draw(st.lists(st.integers(0, 3), min_size=2, max_size=2)))
        return order[low], order[high]
    if question.type == "choice":
        ranked = [None, *[o.value for o in sorted(question.options, key=lambda o: o.points)]]
        low, high = sorted(draw(st.lists(st.integers(0, len(ranked) - 1), min_size=2, max_size=2)))
        return ranked[low], ranked[high]
    # numbers drawn around the thresholds so that crossing them is common
    bound = [t.min if question.higher_is_better else t.max for t in question.thresholds]
    near = st.one_of(st.sampled_from(bound), st.integers(-60, 60).map(Decimal),
                     st.decimals(min_value=-60, max_value=60, places=1))
    a, b = sorted([draw(near), draw(near)])
    return (a, b) if question.higher_is_better else (b, a)


@settings(max_examples=300, deadline=None)
@given(answered(), st.data())
def test_a_better_answer_to_one_question_never_lowers_the_total(case, data):
    bench, answers = case
    question = data.draw(st.sampled_from(bench.questions()))
    worse, better = better_pair(question, data.draw)
    before = score(bench, {**answers, question.id: worse})
    after = score(bench, {**answers, question.id: better})
    assert after.total >= before.total
    assert after.question(question.id).points >= before.question(question.id).points
    assert GRADES.index(after.uncapped_grade) <= GRADES.index(before.uncapped_grade)


RATINGS = ["green", "blue", "yellow", "red"]
fact_knockouts = st.lists(st.tuples(st.sets(st.sampled_from(RATINGS), min_size=1), st.sampled_from(GRADES)),
                          max_size=3)


@settings(max_examples=200, deadline=None)
@given(fact_knockouts, st.data())
def test_an_applying_knockout_always_caps_the_grade(rules, data):
    kos = [knockout(f"KO{i}", {"fact": "credit_rating", "in": sorted(ratings)}, cap)
           for i, (ratings, cap) in enumerate(rules)]
    bench, answers = data.draw(answered(kos))
    rating = data.draw(st.sampled_from([None, *RATINGS]))
    card = score(bench, answers, {"credit_rating": rating})
    applying = [cap for ratings, cap in rules if rating in ratings]
    assert [k.cap for k in card.knockouts] == applying
    for cap in applying:
        assert GRADES.index(card.grade) >= GRADES.index(cap)
    # a cap only ever lowers: the grade is the lower of the uncapped grade and every cap
    assert card.grade == max([card.uncapped_grade, *applying], key=GRADES.index)
