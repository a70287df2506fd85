"""Eligibility rules as data, and their evaluation: each rule answers passed, failed or unknown, with the data it
used and how to fix a failure. Facts are gathered once (gather_facts) and can be changed for a "what if".

A programme's rules: [{"key": "registered_in_city"}, {"key": "no_major_violation", "years": 1},
{"key": "credit_rating", "excluded": ["red"]}, {"key": "no_duplicate_funding"},
{"key": "project_stage", "stage": "completed", "within_years": 3}]
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import local_time
from portal.extensions import db
from portal.locale_format import day
from portal.orgs.districts import DISTRICTS, district_name
from portal.records.models import LEVELS, CreditRating, PenaltyRecord

PASSED, FAILED, UNKNOWN = "passed", "failed", "unknown"
RULE_KEYS = ("registered_in_city", "no_major_violation", "credit_rating", "no_duplicate_funding", "project_stage")
RULE_LABELS = {
    "registered_in_city": _l("Registered in the city"),
    "no_major_violation": _l("No major violation in the last years"),
    "credit_rating": _l("Environmental credit rating not excluded"),
    "no_duplicate_funding": _l("No other funding for the same project"),
    "project_stage": _l("Plan approved or project completed"),
}
LEVEL_LABELS = {"green": _l("green (trustworthy)"), "blue": _l("blue (good)"), "yellow": _l("yellow (warning)"),
                "red": _l("red (poor)")}
APPROVED_PLAN_STATUSES = ("approved", "in_progress", "completed", "verified")
COMPLETED_PLAN_STATUSES = ("completed", "verified")


@dataclass(frozen=True)
class Penalty:
    decision_number: str
    decided_on: date
    major: bool | None
    rectified: bool


@dataclass(frozen=True)
class Facts:
    applying_on: date
    district: str | None
    rating_level: str | None
    rating_year: int | None
    penalties: tuple[Penalty, ...]
    plan_title: str
    plan_status: str
    completed_on: date | None
    # References of other live applications for the same plan.
    other_applications: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RuleResult:
    key: str
    label: str
    outcome: str
    data: tuple[tuple[str, str], ...]  # (what, value) pairs the rule read
    fix: str | None = None


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def gather_facts(organisation, plan, *, applying_on: date, exclude_application_id: int | None = None) -> Facts:
    from portal.funding.models import FundingApplication

    rating = db.session.scalars(select(CreditRating).where(CreditRating.credit_code == organisation.credit_code)
                                .order_by(CreditRating.year.desc()).limit(1)).first()
    penalties = db.session.scalars(select(PenaltyRecord).where(
        PenaltyRecord.credit_code == organisation.credit_code).order_by(PenaltyRecord.decided_on.desc())).all()
    others = db.session.scalars(select(FundingApplication).where(
        FundingApplication.plan_id == plan.id, FundingApplication.status.not_in(("withdrawn", "rejected")),
        FundingApplication.id != (exclude_application_id or 0))).all()
    completion = next((local_time.local_day(e.at) for e in reversed(plan.events) if e.action == "complete"), None)
    return Facts(applying_on=applying_on, district=organisation.district,
                 rating_level=rating.level if rating else None, rating_year=rating.year if rating else None,
                 penalties=tuple(Penalty(p.decision_number, p.decided_on, p.major, p.is_rectified) for p in penalties),
                 plan_title=plan.title, plan_status=plan.status, completed_on=completion,
                 other_applications=tuple(a.reference for a in others))


def _registered_in_city(rule: dict, facts: Facts) -> RuleResult:
    data = ((str(_l("District in your profile")), district_name(facts.district) if facts.district else "—"),)
    if not facts.district:
        return RuleResult("registered_in_city", "", UNKNOWN, data,
                          str(_l("Enter your district in the organisation profile.")))
    if facts.district not in DISTRICTS:
        return RuleResult("registered_in_city", "", FAILED, data,
                          str(_l("Only enterprises registered in the city may apply.")))
    return RuleResult("registered_in_city", "", PASSED, data)


def _no_major_violation(rule: dict, facts: Facts) -> RuleResult:
    years = int(rule.get("years") or 1)
    since = years_before(facts.applying_on, years)
    recent = [p for p in facts.penalties if since < p.decided_on <= facts.applying_on]
    data = [(str(_l("Penalty records since %(date)s", date=day(since))),
             ", ".join(f"{p.decision_number} ({day(p.decided_on)})" for p in recent) or str(_l("none")))]
    major = [p for p in recent if p.major is True]
    if major:
        latest = max(p.decided_on for p in major)
        clears_on = years_before(latest, -years) + timedelta(days=1)
        return RuleResult("no_major_violation", "", FAILED, tuple(data), str(_l(
            "A major violation decided on %(decided)s is within %(years)d years. This rule passes for applications "
            "made from %(clears)s.", decided=day(latest), years=years, clears=day(clears_on))))
    unclassified = [p for p in recent if p.major is None]
    if unclassified:
        return RuleResult("no_major_violation", "", UNKNOWN, tuple(data), str(_l(
            "The source does not say whether %(numbers)s is major; the authority decides at the formal check. "
            "Explain the penalty and attach rectification evidence on your records page.",
            numbers=", ".join(p.decision_number for p in unclassified))))
    return RuleResult("no_major_violation", "", PASSED, tuple(data))


def _credit_rating(rule: dict, facts: Facts) -> RuleResult:
    excluded = [level for level in LEVELS if level in (rule.get("excluded") or ["red"])]
    data = ((str(_l("Latest rating")), f"{LEVEL_LABELS[facts.rating_level]} ({facts.rating_year})"
             if facts.rating_level else str(_l("no rating on record"))),
            (str(_l("Excluded")), ", ".join(str(LEVEL_LABELS[level]) for level in excluded)))
    if facts.rating_level is None:
        return RuleResult("credit_rating", "", UNKNOWN, data, str(_l(
            "No rating of your credit code is on record; the authority checks at the formal check.")))
    if facts.rating_level in excluded:
        return RuleResult("credit_rating", "", FAILED, data, str(_l(
            "Enterprises rated %(level)s are excluded. Rectify and apply for credit repair; the rule passes once a "
            "better rating is published.", level=LEVEL_LABELS[facts.rating_level])))
    return RuleResult("credit_rating", "", PASSED, data)


def _no_duplicate_funding(rule: dict, facts: Facts) -> RuleResult:
    data = ((str(_l("Other applications for this plan")), ", ".join(facts.other_applications) or str(_l("none"))),)
    if facts.other_applications:
        return RuleResult("no_duplicate_funding", "", FAILED, data, str(_l(
            "A project is funded once: withdraw the other application, or apply with another plan.")))
    return RuleResult("no_duplicate_funding", "", PASSED, data)


def _project_stage(rule: dict, facts: Facts) -> RuleResult:
    from portal.templating import status_label

    stage = rule.get("stage") or "approved"
    data = [(str(_l("Plan")), f"{facts.plan_title}: {status_label(facts.plan_status)}")]
    if stage == "approved":
        if facts.plan_status in APPROVED_PLAN_STATUSES:
            return RuleResult("project_stage", "", PASSED, tuple(data))
        return RuleResult("project_stage", "", FAILED, tuple(data), str(_l(
            "The plan must be approved by the technical agency first: submit it for review.")))
    data.append((str(_l("Completed on")), day(facts.completed_on) or "—"))
    if facts.plan_status not in COMPLETED_PLAN_STATUSES or facts.completed_on is None:
        return RuleResult("project_stage", "", FAILED, tuple(data), str(_l(
            "This programme subsidises completed projects: finish the work and mark the plan completed.")))
    years = rule.get("within_years")
    if years:
        since = years_before(facts.applying_on, int(years))
        data.append((str(_l("Completed after")), day(since)))
        if facts.completed_on < since:
            return RuleResult("project_stage", "", FAILED, tuple(data), str(_l(
                "The project was completed more than %(years)d years before applying; it cannot be funded by this "
                "programme.", years=int(years))))
    return RuleResult("project_stage", "", PASSED, tuple(data))


EVALUATORS = {"registered_in_city": _registered_in_city, "no_major_violation": _no_major_violation,
              "credit_rating": _credit_rating, "no_duplicate_funding": _no_duplicate_funding,
              "project_stage": _project_stage}


def evaluate(rules: list[dict], facts: Facts) -> list[RuleResult]:
    results = []
    for rule in rules:
        result = EVALUATORS[rule["key"]](rule, facts)
        results.append(replace(result, label=describe(rule)))
    return results


def describe(rule: dict) -> str:
    """The rule in words with its parameters."""
    key = rule["key"]
    if key == "no_major_violation":
        return str(_l("No major violation in the %(years)d years before applying", years=int(rule.get("years") or 1)))
    if key == "credit_rating":
        return str(_l("Credit rating not %(levels)s", levels=" / ".join(
            str(LEVEL_LABELS[level]) for level in LEVELS if level in (rule.get("excluded") or ["red"]))))
    if key == "project_stage" and rule.get("stage") == "completed":
        if rule.get("within_years"):
            return str(_l("Project completed within %(years)d years before applying", years=int(rule["within_years"])))
        return str(_l("Project completed"))
    if key == "project_stage":
        return str(_l("Plan approved by the technical agency"))
    return str(RULE_LABELS[key])


def blocking(results: list[RuleResult]) -> list[RuleResult]:
    return [r for r in results if r.outcome == FAILED]


def as_data(rules: list[dict], results: list[RuleResult], facts: Facts) -> list[dict]:
    """The results to keep with an application: their text as it read then, and the rule and the facts they came
    from, so that `shown` words them again in the reader's language."""
    kept_facts = facts_as_data(facts)
    return [{"key": r.key, "label": r.label, "outcome": r.outcome, "data": [list(d) for d in r.data], "fix": r.fix,
             "rule": rule, "facts": kept_facts} for rule, r in zip(rules, results, strict=True)]


def shown(kept: list[dict]) -> list[RuleResult]:
    """Kept results in the reader's language, evaluated again from the rule and the facts kept with them. Results
    kept before those were (or whose outcome would now differ) show their text as it was written."""
    results = []
    for entry in kept:
        again = None
        if (entry.get("rule") or {}).get("key") in EVALUATORS and entry.get("facts"):
            try:
                again = evaluate([entry["rule"]], facts_from_data(entry["facts"]))[0]
            except (KeyError, TypeError, ValueError):  # kept in an older shape: show the text as it was kept
                again = None
        if again is None or again.outcome != entry["outcome"]:
            again = RuleResult(entry["key"], entry["label"], entry["outcome"],
                               tuple(tuple(d) for d in entry["data"]), entry.get("fix"))
        results.append(again)
    return results


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _from_iso(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def facts_as_data(facts: Facts) -> dict:
    return {"applying_on": _iso(facts.applying_on), "district": facts.district, "rating_level": facts.rating_level,
            "rating_year": facts.rating_year, "plan_title": facts.plan_title, "plan_status": facts.plan_status,
            "completed_on": _iso(facts.completed_on), "other_applications": list(facts.other_applications),
            "penalties": [{"decision_number": p.decision_number, "decided_on": _iso(p.decided_on), "major": p.major,
                           "rectified": p.rectified} for p in facts.penalties]}


def facts_from_data(data: dict) -> Facts:
    penalties = tuple(Penalty(p["decision_number"], _from_iso(p["decided_on"]), p["major"], p["rectified"])
                      for p in data["penalties"])
    return Facts(**{**data, "applying_on": _from_iso(data["applying_on"]), "penalties": penalties,
                    "completed_on": _from_iso(data["completed_on"]),
                    "other_applications": tuple(data["other_applications"])})


def what_if(facts: Facts, *, applying_on: date | None = None, rating_level: str | None = None,
            completed_on: date | None = None, district: str | None = None) -> Facts:
    """The facts as they would be after a planned change."""
    changes = {}
    if applying_on is not None:
        changes["applying_on"] = applying_on
    if rating_level in LEVELS:
        changes["rating_level"], changes["rating_year"] = rating_level, facts.applying_on.year
    if completed_on is not None:
        changes["completed_on"] = completed_on
        if facts.plan_status not in COMPLETED_PLAN_STATUSES:
            changes["plan_status"] = "completed"
    if district:
        changes["district"] = district
    return replace(facts, **changes)
