"""Scores a self-assessment against a benchmark: points per question, weighted to a total of 0..100, a grade
capped by knock-outs, and the gaps worth closing first.

Exact Decimal arithmetic throughout; the Scorecard's amounts are rounded to 0.01 for display only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from portal.assessment.benchmark import YES_PARTLY_NO_POINTS, Benchmark, Knockout, Question
from portal.numbers import to_decimal

EFFORT_WEIGHTS = {"low": 1, "medium": 2, "high": 3}
CENT = Decimal("0.01")
# Shares of 100 are kept to 20 places (23 digits, inside Decimal's 28) so that sums of them are exact.
SHARE_PLACES = Decimal("1e-20")
Answer = str | Decimal | None


@dataclass(frozen=True)
class QuestionScore:
    question_id: str
    answer: Answer  # as read: "yes"/"partly"/"no", an option value, a Decimal, or None
    points: Decimal  # 0..1
    earned: Decimal
    max: Decimal
    lost: Decimal
    reason_lost: str | None  # unanswered, answer_no, partly, option_lower, below_threshold, above_threshold
    unanswered: bool


@dataclass(frozen=True)
class SectionScore:
    section_id: str
    score: Decimal
    max: Decimal


@dataclass(frozen=True)
class AppliedKnockout:
    knockout_id: str
    cap: str
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class Scorecard:
    total: Decimal
    grade: str
    uncapped_grade: str
    knockouts: tuple[AppliedKnockout, ...]
    sections: tuple[SectionScore, ...]
    questions: tuple[QuestionScore, ...]

    def question(self, question_id: str) -> QuestionScore:
        return next(q for q in self.questions if q.question_id == question_id)


@dataclass(frozen=True)
class Gap:
    question_id: str
    lost: Decimal
    effort: str
    reason_lost: str
    improve_zh: str
    improve_en: str


def question_maxima(benchmark: Benchmark) -> dict[str, Decimal]:
    """Each question's share of 100: section weight × question weight / the section's question weights."""
    maxima = {}
    for section in benchmark.sections:
        total_weight = sum((q.weight for q in section.questions), Decimal(0))
        remaining = section.weight
        for index, question in enumerate(section.questions):
            if index == len(section.questions) - 1:
                # The last question takes the remainder so the maxima add up to exactly 100 (1/3 has no end).
                maxima[question.id] = remaining
            else:
                maxima[question.id] = (section.weight * question.weight / total_weight).quantize(SHARE_PLACES)
                remaining -= maxima[question.id]
    return maxima


def score(benchmark: Benchmark, answers: dict[str, Answer], facts: dict[str, object] | None = None) -> Scorecard:
    maxima = question_maxima(benchmark)
    question_scores, section_scores, total = [], [], Decimal(0)
    for section in benchmark.sections:
        section_earned = Decimal(0)
        for question in section.questions:
            answer = _read_answer(question, answers.get(question.id))
            points, reason = _points(question, answer)
            maximum = maxima[question.id]
            earned = points * maximum
            section_earned += earned
            question_scores.append(QuestionScore(
                question_id=question.id, answer=answer, points=_cents(points), earned=_cents(earned),
                max=_cents(maximum), lost=_cents(maximum - earned), reason_lost=reason, unanswered=answer is None))
        total += section_earned
        section_scores.append(SectionScore(section.id, _cents(section_earned), _cents(section.weight)))
    shown_total = _cents(total)
    # The grade follows the total the supplier sees: 84.996 is shown as 85.00 and graded as 85.
    uncapped = grade_for(benchmark, shown_total)
    applied = tuple(AppliedKnockout(k.id, k.cap, k.reason_zh, k.reason_en) for k in benchmark.knockouts
                    if _applies(k, benchmark, answers, facts or {}))
    return Scorecard(total=shown_total, grade=_capped(benchmark, uncapped, [k.cap for k in applied]),
                     uncapped_grade=uncapped, knockouts=applied, sections=tuple(section_scores),
                     questions=tuple(question_scores))


def grade_for(benchmark: Benchmark, total: Decimal) -> str:
    return next(band.grade for band in benchmark.grade_bands if total >= band.min)


def gaps(benchmark: Benchmark, scorecard: Scorecard, limit: int | None = None) -> list[Gap]:
    """Questions that lost points, the most points per unit of effort first."""
    questions = {q.id: q for q in benchmark.questions()}
    found = []
    for result in scorecard.questions:
        if result.lost <= 0:
            continue
        question = questions[result.question_id]
        found.append(Gap(question_id=question.id, lost=result.lost, effort=question.effort,
                         reason_lost=result.reason_lost, improve_zh=question.improve_zh,
                         improve_en=question.improve_en))
    found.sort(key=lambda gap: (-gap.lost / EFFORT_WEIGHTS[gap.effort], -gap.lost, gap.question_id))
    return found if limit is None else found[:limit]


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _read_answer(question: Question, raw: Answer) -> Answer:
    """The answer in its scoring form, None when unanswered; raises ValueError for one the question cannot have."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if question.type == "number":
        number = to_decimal(raw)
        if number is None:
            raise ValueError(f"{question.id}: {raw!r} is not a number")
        return number
    allowed = YES_PARTLY_NO_POINTS if question.type == "yes_partly_no" else {o.value for o in question.options}
    if raw not in allowed:
        raise ValueError(f"{question.id}: {raw!r} is not one of {sorted(allowed)}")
    return raw


def _points(question: Question, answer: Answer) -> tuple[Decimal, str | None]:
    if answer is None:
        return Decimal(0), "unanswered"
    if question.type == "yes_partly_no":
        points = YES_PARTLY_NO_POINTS[answer]
        return points, {"yes": None, "partly": "partly", "no": "answer_no"}[answer]
    if question.type == "choice":
        points = next(o.points for o in question.options if o.value == answer)
        return points, None if points == 1 else "option_lower"
    for threshold in question.thresholds:
        reached = answer >= threshold.min if question.higher_is_better else answer <= threshold.max
        if reached:
            points = threshold.points
            break
    else:
        points = Decimal(0)
    if points == 1:
        return points, None
    return points, "below_threshold" if question.higher_is_better else "above_threshold"


def _applies(knockout: Knockout, benchmark: Benchmark, answers: dict[str, Answer], facts: dict[str, object]) -> bool:
    if knockout.subject_kind == "fact":
        # An unknown fact is never guessed: the knock-out does not apply.
        if facts.get(knockout.subject) is None:
            return False
        return any(_same(facts[knockout.subject], value) for value in knockout.values)
    question = benchmark.question(knockout.subject)
    answer = _read_answer(question, answers.get(knockout.subject))
    if answer is None:
        return False
    if question.type == "number":
        return any(to_decimal(value) == answer for value in knockout.values)
    return answer in knockout.values


def _same(fact: object, value: object) -> bool:
    # true must not match a fact of 1, nor "1" a fact of 1
    if isinstance(fact, bool) or isinstance(value, bool):
        return fact is value
    if isinstance(fact, int | float | Decimal) and isinstance(value, int | float | Decimal):
        return to_decimal(fact) == to_decimal(value)
    return fact == value


def _capped(benchmark: Benchmark, grade: str, caps: list[str]) -> str:
    """The lowest of the grade and every cap; bands run from the highest grade down."""
    order = [band.grade for band in benchmark.grade_bands]
    return max([grade, *caps], key=order.index)
