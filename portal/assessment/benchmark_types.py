"""A green procurement benchmark as plain frozen data (the questionnaire of BENCHMARK_FORMAT.md), and the
problems an import reports. benchmark_validation builds these from parsed data; benchmark reads and writes YAML."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

QUESTION_TYPES = ("yes_partly_no", "choice", "number")
YES_PARTLY_NO_POINTS = {"yes": Decimal(1), "partly": Decimal("0.5"), "no": Decimal(0)}
EVIDENCE = ("required", "optional", "none")
EFFORTS = ("low", "medium", "high")


@dataclass(frozen=True, kw_only=True)
class GradeBand:
    grade: str
    min: Decimal
    label_zh: str
    label_en: str


@dataclass(frozen=True, kw_only=True)
class Option:
    value: str
    label_zh: str
    label_en: str
    points: Decimal


@dataclass(frozen=True, kw_only=True)
class Threshold:
    """Reached when the answer is ≥ `min` (higher_is_better) or ≤ `max` (otherwise); the other bound is None."""

    points: Decimal
    min: Decimal | None = None
    max: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class Question:
    id: str
    type: str
    text_zh: str
    text_en: str
    weight: Decimal
    evidence: str
    effort: str
    unit: str = ""
    options: tuple[Option, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    higher_is_better: bool = True
    evidence_zh: str = ""
    evidence_en: str = ""
    improve_zh: str = ""
    improve_en: str = ""
    guidance: str = ""
    prefill_fact: str | None = None


@dataclass(frozen=True, kw_only=True)
class Section:
    id: str
    title_zh: str
    title_en: str
    weight: Decimal
    questions: tuple[Question, ...]


@dataclass(frozen=True, kw_only=True)
class Knockout:
    """`when: {fact|question: subject, in: [values]}` or `{fact|question: subject, equals: value}`; for `equals`
    `values` holds the one value."""

    id: str
    cap: str
    reason_zh: str
    reason_en: str
    subject_kind: str  # "fact" or "question"
    subject: str
    operator: str  # "in" or "equals"
    values: tuple[Any, ...]


@dataclass(frozen=True, kw_only=True)
class Benchmark:
    id: str
    version: int
    owner: str
    title_zh: str
    title_en: str
    grade_bands: tuple[GradeBand, ...]
    sections: tuple[Section, ...]
    knockouts: tuple[Knockout, ...] = ()
    basis_zh: str = ""
    basis_en: str = ""

    def questions(self) -> list[Question]:
        return [question for section in self.sections for question in section.questions]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions() if q.id == question_id), None)

    def to_dict(self) -> dict:
        """Plain data (str, int, float, bool, list, dict) in the order of the format: JSON- and YAML-ready."""
        data: dict[str, Any] = {"id": self.id, "version": self.version, "owner": self.owner,
                                "title_zh": self.title_zh, "title_en": self.title_en}
        _put(data, basis_zh=self.basis_zh, basis_en=self.basis_en)
        data["grade_bands"] = [{"grade": b.grade, "min": _plain(b.min), "label_zh": b.label_zh,
                                "label_en": b.label_en} for b in self.grade_bands]
        data["knockouts"] = [{"id": k.id, "when": {k.subject_kind: k.subject,
                                                   k.operator: list(k.values) if k.operator == "in" else k.values[0]},
                              "cap": k.cap, "reason_zh": k.reason_zh, "reason_en": k.reason_en}
                             for k in self.knockouts]
        data["sections"] = [{"id": s.id, "title_zh": s.title_zh, "title_en": s.title_en, "weight": _plain(s.weight),
                             "questions": [_question_dict(q) for q in s.questions]} for s in self.sections]
        return data




@dataclass(frozen=True)
class Problem:
    """What is wrong, and where in the file the user gave.

    `path` is what a page shows beside the message: the value's path in the format ("sections[2].questions[1].weight")
    or, in a workbook, its cell ("questions!C12"), column ("questions!C:C"), rows ("sections!D3:D6") or sheet;
    "" for the whole file. A workbook's problems also carry the sheet, the row and the column letter (None where
    the problem is not in one row or one column)."""

    path: str
    message: Any  # a lazy string: translated when shown
    sheet: str = ""
    row: int | None = None
    column: str | None = None



class InvalidBenchmark(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))
        self.problems = problems


def _question_dict(q: Question) -> dict:
    data: dict[str, Any] = {"id": q.id, "type": q.type, "text_zh": q.text_zh, "text_en": q.text_en}
    _put(data, unit=q.unit)
    data["weight"] = _plain(q.weight)
    if q.type == "choice":
        data["options"] = [{"value": o.value, "label_zh": o.label_zh, "label_en": o.label_en,
                            "points": _plain(o.points)} for o in q.options]
    if q.type == "number":
        bound = "min" if q.higher_is_better else "max"
        data["thresholds"] = [{bound: _plain(getattr(t, bound)), "points": _plain(t.points)} for t in q.thresholds]
        data["higher_is_better"] = q.higher_is_better
    data["evidence"] = q.evidence
    _put(data, evidence_zh=q.evidence_zh, evidence_en=q.evidence_en, improve_zh=q.improve_zh,
         improve_en=q.improve_en)
    data["effort"] = q.effort
    _put(data, guidance=q.guidance)
    if q.prefill_fact:
        data["prefill"] = {"fact": q.prefill_fact}
    return data


def _put(data: dict, **texts: str) -> None:
    data.update({key: text for key, text in texts.items() if text})


def _plain(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)

