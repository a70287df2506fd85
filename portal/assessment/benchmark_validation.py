"""Checking parsed benchmark data against BENCHMARK_FORMAT.md: one walk that builds the benchmark and notes every
problem on the way, each with the path of the value at fault. The YAML and the Excel imports both end here."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.assessment.benchmark_types import (
    EFFORTS,
    EVIDENCE,
    QUESTION_TYPES,
    YES_PARTLY_NO_POINTS,
    Benchmark,
    GradeBand,
    InvalidBenchmark,
    Knockout,
    Option,
    Problem,
    Question,
    Section,
    Threshold,
)


def from_dict(data: Any) -> Benchmark:
    """Builds a benchmark from parsed YAML or stored JSON; raises InvalidBenchmark listing every problem."""
    benchmark, problems = check(data)
    if problems:
        raise InvalidBenchmark(problems)
    return benchmark


def check(data: Any, *, name_of: Callable[[str], str] = str) -> tuple[Benchmark | None, list[Problem]]:
    """Every problem of `data` against the format; the benchmark only when there is none.

    `name_of` turns a path into the place a message names, for a file whose places are not paths (a cell)."""
    reader = _Reader(name_of)
    benchmark = reader.benchmark(data)
    return (None, reader.problems) if reader.problems else (benchmark, [])


def _show(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class _Reader:
    """Walks parsed data once, building the benchmark and noting every problem on the way."""

    def __init__(self, name_of: Callable[[str], str] = str) -> None:
        self.problems: list[Problem] = []
        self.name_of = name_of

    def problem(self, path: str, message) -> None:
        self.problems.append(Problem(path, message))

    # -- shapes

    def mapping(self, data: Any, path: str) -> dict | None:
        if isinstance(data, dict):
            return data
        self.problem(path, _l("Expected keys with values here, such as “id: S1”."))
        return None

    def items(self, parent: dict, key: str, path: str, *, required: bool = True) -> list[tuple[str, Any]]:
        path = _at(path, key)
        if key not in parent or parent[key] is None:
            if required:
                self.missing(path, key)
            return []
        value = parent[key]
        if not isinstance(value, list):
            self.problem(path, _l("Expected a list here, with each item on its own line starting with “- ”."))
            return []
        if not value and required:
            self.problem(path, _l("This list is empty; add at least one item."))
        return [(_at(path, index), item) for index, item in enumerate(value)]

    def missing(self, path: str, key: str) -> None:
        self.problem(path, _l("“%(key)s” is missing. Add it here.", key=key))

    def present(self, parent: dict, key: str, path: str, required: bool) -> bool:
        if parent.get(key) is not None:
            return True
        if required:
            self.missing(_at(path, key), key)
        return False

    def text(self, parent: dict, key: str, path: str, *, required: bool = True) -> str:
        if not self.present(parent, key, path, required):
            return ""
        value = parent[key]
        if isinstance(value, str) and value.strip():
            return value
        self.problem(_at(path, key), _l("Expected text here. Put the value in quotes if it looks like a number, a "
                                        "date or true/false."))
        return ""

    def number(self, parent: dict, key: str, path: str, *, required: bool = True) -> Decimal | None:
        if not self.present(parent, key, path, required):
            return None
        value = parent[key]
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = Decimal(str(value))
            if number.is_finite():
                return number
        self.problem(_at(path, key), _l("Expected a number here (such as 12 or 0.5), written without quotes."))
        return None

    def one_of(self, parent: dict, key: str, path: str, allowed: tuple[str, ...]) -> str:
        if not self.present(parent, key, path, True):
            return ""
        value = parent[key]
        if value in allowed:
            return value
        self.problem(_at(path, key), _l("“%(value)s” is not allowed here. Use one of: %(allowed)s.", value=value,
                                        allowed=", ".join(allowed)))
        return ""

    def points(self, parent: dict, path: str) -> Decimal | None:
        points = self.number(parent, "points", path)
        if points is not None and not 0 <= points <= 1:
            self.problem(_at(path, "points"), _l("Points must be between 0 and 1 (it is %(value)s); 1 means full "
                                                 "marks for the question.", value=_show(points)))
        return points

    def unique(self, seen: dict[str, str], value: str, path: str) -> None:
        if not value:
            return
        if value in seen:
            self.problem(path, _l("“%(id)s” is used twice (first at %(first)s). Each must be different.",
                                  id=value, first=self.name_of(seen[value])))
        else:
            seen[value] = path

    # -- the benchmark

    def benchmark(self, data: Any) -> Benchmark | None:
        if data is None:
            self.problem("", _l("The file is empty. Export a benchmark to see the format."))
            return None
        top = self.mapping(data, "")
        if top is None:
            return None
        version = top.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            if version is None:
                self.missing("version", "version")
            else:
                self.problem("version", _l("The version must be a whole number of 1 or more."))
        benchmark_id, owner = self.text(top, "id", ""), self.text(top, "owner", "")
        title_zh, title_en = self.text(top, "title_zh", ""), self.text(top, "title_en", "")
        bands = self.grade_bands(top)
        sections = self.sections(top)
        questions = {q.id: q for s in sections for q in s.questions}
        knockouts, seen = [], {}
        for path, item in self.items(top, "knockouts", "", required=False):
            knockout = self.knockout(path, item, bands, questions)
            if knockout is not None:
                self.unique(seen, knockout.id, _at(path, "id"))
                knockouts.append(knockout)
        return Benchmark(id=benchmark_id, version=version, owner=owner, title_zh=title_zh, title_en=title_en,
                         basis_zh=self.text(top, "basis_zh", "", required=False),
                         basis_en=self.text(top, "basis_en", "", required=False),
                         grade_bands=tuple(bands), sections=tuple(sections), knockouts=tuple(knockouts))

    def grade_bands(self, top: dict) -> list[GradeBand]:
        bands, seen = [], {}
        previous = None
        for path, item in self.items(top, "grade_bands", ""):
            band = self.mapping(item, path)
            if band is None:
                continue
            grade = self.text(band, "grade", path)
            self.unique(seen, grade, _at(path, "grade"))
            low = self.number(band, "min", path)
            if low is not None and not 0 <= low <= 100:
                self.problem(_at(path, "min"), _l("A grade band's min must be between 0 and 100 (it is %(value)s).",
                                                  value=_show(low)))
            elif low is not None and previous is not None and low >= previous:
                self.problem(_at(path, "min"), _l("Grade bands must go from the highest min down: %(value)s is not "
                                                  "lower than %(previous)s in the band before it.",
                                                  value=_show(low), previous=_show(previous)))
            previous = low if low is not None else previous
            bands.append(GradeBand(grade=grade, min=low, label_zh=self.text(band, "label_zh", path),
                                   label_en=self.text(band, "label_en", path)))
        if bands and bands[-1].min is not None and bands[-1].min != 0:
            self.problem(_at(_at("grade_bands", len(bands) - 1), "min"),
                         _l("The last grade band must have “min: 0”, so that every score gets a grade."))
        return bands

    def sections(self, top: dict) -> list[Section]:
        sections, section_ids, question_ids = [], {}, {}
        weights_readable = True
        for path, item in self.items(top, "sections", ""):
            data = self.mapping(item, path)
            if data is None:
                weights_readable = False
                continue
            section_id = self.text(data, "id", path)
            self.unique(section_ids, section_id, _at(path, "id"))
            weight = self.positive_weight(data, path)
            weights_readable = weights_readable and weight is not None
            questions = []
            for question_path, question_item in self.items(data, "questions", path):
                question = self.question(question_item, question_path)
                if question is not None:
                    self.unique(question_ids, question.id, _at(question_path, "id"))
                    questions.append(question)
            sections.append(Section(id=section_id, title_zh=self.text(data, "title_zh", path),
                                    title_en=self.text(data, "title_en", path), weight=weight,
                                    questions=tuple(questions)))
        total = sum((s.weight for s in sections), Decimal(0)) if weights_readable else None
        if sections and total is not None and total != 100:
            self.problem("sections", _l("The section weights add up to %(total)s, but they must add up to 100. "
                                        "Change them so that their sum is exactly 100.", total=_show(total)))
        return sections

    def positive_weight(self, data: dict, path: str) -> Decimal | None:
        weight = self.number(data, "weight", path)
        if weight is not None and weight <= 0:
            self.problem(_at(path, "weight"), _l("The weight must be more than 0 (it is %(value)s).",
                                                 value=_show(weight)))
            return None
        return weight

    def question(self, item: Any, path: str) -> Question | None:
        data = self.mapping(item, path)
        if data is None:
            return None
        kind = self.one_of(data, "type", path, QUESTION_TYPES)
        higher_is_better = data.get("higher_is_better", True)
        if not isinstance(higher_is_better, bool):
            self.problem(_at(path, "higher_is_better"), _l("Expected true or false here."))
            higher_is_better = True
        prefill = None
        if data.get("prefill") is not None:
            prefill_data = self.mapping(data["prefill"], _at(path, "prefill"))
            prefill = self.text(prefill_data, "fact", _at(path, "prefill")) if prefill_data is not None else None
        return Question(
            id=self.text(data, "id", path), type=kind, text_zh=self.text(data, "text_zh", path),
            text_en=self.text(data, "text_en", path), weight=self.positive_weight(data, path),
            evidence=self.one_of(data, "evidence", path, EVIDENCE), effort=self.one_of(data, "effort", path, EFFORTS),
            unit=self.text(data, "unit", path, required=False),
            options=self.options(data, path) if kind == "choice" else (),
            thresholds=self.thresholds(data, path, higher_is_better) if kind == "number" else (),
            higher_is_better=higher_is_better,
            evidence_zh=self.text(data, "evidence_zh", path, required=False),
            evidence_en=self.text(data, "evidence_en", path, required=False),
            improve_zh=self.text(data, "improve_zh", path, required=False),
            improve_en=self.text(data, "improve_en", path, required=False),
            guidance=self.text(data, "guidance", path, required=False), prefill_fact=prefill or None)

    def options(self, data: dict, path: str) -> tuple[Option, ...]:
        options, seen = [], {}
        for option_path, item in self.items(data, "options", path):
            option = self.mapping(item, option_path)
            if option is None:
                continue
            value = self.text(option, "value", option_path)
            self.unique(seen, value, _at(option_path, "value"))
            options.append(Option(value=value, label_zh=self.text(option, "label_zh", option_path),
                                  label_en=self.text(option, "label_en", option_path),
                                  points=self.points(option, option_path)))
        if options and all(o.points is not None for o in options) and not any(o.points == 1 for o in options):
            self.problem(_at(path, "options"), _l("No option is worth 1 point. Give the best option “points: 1” so "
                                                  "that a supplier can earn the full marks of the question."))
        return tuple(options)

    def thresholds(self, data: dict, path: str, higher_is_better: bool) -> tuple[Threshold, ...]:
        bound = "min" if higher_is_better else "max"
        thresholds, previous_bound, previous_points = [], None, None
        for threshold_path, item in self.items(data, "thresholds", path):
            threshold = self.mapping(item, threshold_path)
            if threshold is None:
                continue
            if threshold.get(bound) is None and threshold.get("max" if higher_is_better else "min") is not None:
                self.problem(_at(threshold_path, bound), _l("With “higher_is_better: %(direction)s”, each threshold "
                                                            "needs “%(key)s”.", key=bound,
                                                            direction="true" if higher_is_better else "false"))
                value = None
            else:
                value = self.number(threshold, bound, threshold_path)
            points = self.points(threshold, threshold_path)
            if value is not None and previous_bound is not None:
                if higher_is_better and value >= previous_bound:
                    self.problem(_at(threshold_path, "min"), _l(
                        "Thresholds must go from the highest “min” down: %(value)s is not lower than %(previous)s "
                        "in the threshold before it.", value=_show(value), previous=_show(previous_bound)))
                elif not higher_is_better and value <= previous_bound:
                    self.problem(_at(threshold_path, "max"), _l(
                        "Thresholds must go from the lowest “max” up: %(value)s is not higher than %(previous)s in "
                        "the threshold before it.", value=_show(value), previous=_show(previous_bound)))
            if points is not None and previous_points is not None and points > previous_points:
                # A later threshold is easier to reach; more points there would punish a better answer.
                self.problem(_at(threshold_path, "points"), _l(
                    "A threshold that is easier to reach must not give more points than the one before it "
                    "(%(value)s after %(previous)s). List the thresholds from the best result down.",
                    value=_show(points), previous=_show(previous_points)))
            previous_bound = value if value is not None else previous_bound
            previous_points = points if points is not None else previous_points
            thresholds.append(Threshold(points=points, **{bound: value}))
        return tuple(thresholds)

    def knockout(self, path: str, item: Any, bands: list[GradeBand],
                 questions: dict[str, Question]) -> Knockout | None:
        data = self.mapping(item, path)
        if data is None:
            return None
        cap = self.text(data, "cap", path)
        grades = [band.grade for band in bands if band.grade]
        if cap and grades and cap not in grades:
            self.problem(_at(path, "cap"), _l("There is no grade “%(grade)s” in grade_bands. Use one of: "
                                              "%(allowed)s.", grade=cap, allowed=", ".join(grades)))
        when_path = _at(path, "when")
        kind, subject, operator, values = "", "", "", ()
        when = self.mapping(data["when"], when_path) if self.present(data, "when", path, True) else None
        if when is not None:
            kinds = [key for key in ("fact", "question") if key in when]
            operators = [key for key in ("in", "equals") if key in when]
            if len(kinds) != 1:
                self.problem(when_path, _l("The condition must name either a fact or a question, for example "
                                           "{fact: credit_rating, in: [red]} or {question: Q2.1, in: [\"no\"]}."))
            if len(operators) != 1:
                self.problem(when_path, _l("The condition needs either “in: [...]” with a list of values or "
                                           "“equals: value”."))
            if len(kinds) == 1:
                kind, subject = kinds[0], self.text(when, kinds[0], when_path)
            if operators == ["in"]:
                operator, values = "in", tuple(value for _path, value in self.items(when, "in", when_path))
            elif operators == ["equals"]:
                operator, values = "equals", (when["equals"],)
            if kind == "question" and subject:
                self.knockout_answers(when_path, subject, operator, values, questions)
        return Knockout(id=self.text(data, "id", path), cap=cap, reason_zh=self.text(data, "reason_zh", path),
                        reason_en=self.text(data, "reason_en", path), subject_kind=kind, subject=subject,
                        operator=operator, values=values)

    def knockout_answers(self, when_path: str, question_id: str, operator: str, values: tuple,
                         questions: dict[str, Question]) -> None:
        question = questions.get(question_id)
        if question is None and questions:  # with no readable questions at all, that is the problem reported
            self.problem(_at(when_path, "question"), _l("There is no question “%(id)s” in this benchmark. Check the "
                                                        "question id.", id=question_id))
        if question is None or (question.type == "choice" and not question.options):
            return
        for index, value in enumerate(values):
            value_path = _at(_at(when_path, "in"), index) if operator == "in" else _at(when_path, "equals")
            if question.type == "number":
                if not isinstance(value, int | float) or isinstance(value, bool):
                    self.problem(value_path, _l("Question %(question)s takes a number, so “%(value)s” can never be "
                                                "its answer. Write a number without quotes.",
                                                question=question_id, value=value))
                continue
            allowed = list(YES_PARTLY_NO_POINTS) if question.type == "yes_partly_no" else [
                option.value for option in question.options]
            if question.type in QUESTION_TYPES and value not in allowed:
                self.problem(value_path, _l("Question %(question)s cannot have the answer “%(value)s”. Use one of: "
                                            "%(allowed)s.", question=question_id, value=value,
                                            allowed=", ".join(allowed)))
