"""Defining a funding programme (platform admins): name, budget, dates, eligibility rules, amount formula,
expert rubric, required materials and the public notice period. The form is read into plain values here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit.services import changes, record_event, snapshot
from portal.errors import ServiceError
from portal.extensions import db
from portal.funding.amounts import COST_PARTS, whole_yuan
from portal.funding.models import PROJECT_TYPES, FundingProgramme
from portal.funding.rules import RULE_KEYS
from portal.funding.services import WHOLE_YUAN, committed_sum
from portal.locale_format import number
from portal.locking import check_version, flush_or_conflict
from portal.numbers import to_decimal
from portal.records.models import LEVELS

CONFLICT = _l("Someone else saved this programme while you were editing it. What you typed is still in the form; "
              "check it and save again.")
FIELDS = ("name", "description", "budget", "opens_on", "closes_on", "rules", "amount_rule", "rubric", "materials",
          "notice_days")


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _lines(raw: str) -> list[str]:
    return [line.strip() for line in (raw or "").splitlines() if line.strip()]


def read_form(form) -> tuple[dict, dict]:
    """(programme values, errors by field name) from the programme form."""
    errors: dict[str, str] = {}
    values: dict = {"name": (form.get("name") or "").strip()[:200],
                    "description": (form.get("description") or "").strip()}
    if not values["name"]:
        errors["name"] = str(_l("Give the programme a name."))
    budget = to_decimal(form.get("budget") or "")
    if budget is None or budget <= 0:
        errors["budget"] = str(_l("Enter the budget in yuan, for example 20,000,000."))
    elif not whole_yuan(budget):
        errors["budget"] = str(WHOLE_YUAN)
    values["budget"] = budget
    values["opens_on"], values["closes_on"] = _date(form.get("opens_on") or ""), _date(form.get("closes_on") or "")
    if values["opens_on"] is None:
        errors["opens_on"] = str(_l("Enter a date."))
    if values["closes_on"] is None or (values["opens_on"] and values["closes_on"] < values["opens_on"]):
        errors["closes_on"] = str(_l("Enter a date on or after the opening date."))
    notice = (form.get("notice_days") or "").strip()
    values["notice_days"] = int(notice) if notice.isdigit() and 0 < int(notice) <= 60 else None
    if values["notice_days"] is None:
        errors["notice_days"] = str(_l("Enter the number of working days, 1 to 60."))

    share = to_decimal(form.get("share_percent") or "")
    if share is None or not 0 < share <= 100:
        errors["share_percent"] = str(_l("Enter a percentage above 0 and at most 100."))
    caps = {}
    for kind in PROJECT_TYPES:
        raw = (form.get(f"cap__{kind}") or "").strip()
        cap = to_decimal(raw) if raw else None
        if raw and (cap is None or cap <= 0):
            errors[f"cap__{kind}"] = str(_l("Enter the cap in yuan, or leave it empty for no cap."))
        elif cap is not None and not whole_yuan(cap):
            errors[f"cap__{kind}"] = str(WHOLE_YUAN)
        if cap is not None:
            caps[kind] = str(cap)
    base = [part for part in COST_PARTS if form.get(f"base__{part}")]
    if not base:
        errors["base"] = str(_l("Choose which costs count as eligible investment."))
    values["amount_rule"] = {"share": str(share / 100) if share is not None else "0", "base": base, "caps": caps}

    chosen_rules = []
    for key in RULE_KEYS:
        if not form.get(f"rule__{key}"):
            continue
        rule: dict = {"key": key}
        if key == "no_major_violation":
            years = (form.get("rule__no_major_violation__years") or "").strip()
            if not (years.isdigit() and 0 < int(years) <= 10):
                errors["rule__no_major_violation__years"] = str(_l("Enter 1 to 10 years."))
            rule["years"] = int(years) if years.isdigit() else 1
        elif key == "credit_rating":
            rule["excluded"] = [level for level in LEVELS if form.get(f"rule__credit_rating__{level}")] or ["red"]
        elif key == "project_stage":
            rule["stage"] = "completed" if form.get("rule__project_stage__stage") == "completed" else "approved"
            years = (form.get("rule__project_stage__within_years") or "").strip()
            if years and not (years.isdigit() and 0 < int(years) <= 10):
                errors["rule__project_stage__within_years"] = str(_l("Enter 1 to 10 years, or leave it empty."))
            if years.isdigit():
                rule["within_years"] = int(years)
        chosen_rules.append(rule)
    values["rules"] = chosen_rules

    rubric, total = [], Decimal(0)
    for line_number, line in enumerate(_lines(form.get("rubric") or ""), start=1):
        label, _sep, weight = line.rpartition("|")
        points = to_decimal(weight.strip())
        if not label.strip() or points is None or points <= 0:
            errors["rubric"] = str(_l("Line %(n)d: write the criterion, a bar and its points, for example "
                                      "“Technical soundness | 30”.", n=line_number))
            break
        rubric.append({"key": f"c{line_number}", "label": label.strip(), "weight": int(points) if points == int(points)
                       else float(points)})
        total += points
    if "rubric" not in errors and (not rubric or total != 100):
        errors["rubric"] = str(_l("The criteria's points must add up to 100 (now %(total)s).", total=total))
    values["rubric"] = rubric
    values["materials"] = [{"key": f"m{n}", "label": label[:200]}
                           for n, label in enumerate(_lines(form.get("materials") or ""), start=1)]
    return values, errors


def _name_free(name: str, programme_id: int | None = None) -> None:
    taken = db.session.scalars(select(FundingProgramme.id).where(FundingProgramme.name == name)).first()
    if taken is not None and taken != programme_id:
        raise ServiceError(_l("Another programme has this name."), field="name")


def create(values: dict, *, actor) -> FundingProgramme:
    _name_free(values["name"])
    programme = FundingProgramme(**values)
    db.session.add(programme)
    record_event("funding.programme_created", programme, actor=actor, summary=snapshot(programme, FIELDS))
    return programme


def update(programme: FundingProgramme, values: dict, *, expected_version: int | None, actor) -> None:
    check_version(programme, expected_version, CONFLICT)
    _name_free(values["name"], programme.id)
    if values["budget"] < committed_sum(programme.id):
        raise ServiceError(_l("The budget cannot be less than the amounts already approved (%(sum)s yuan).",
                              sum=number(committed_sum(programme.id))), field="budget")
    before = snapshot(programme, FIELDS)
    values = {**values, "materials": _keep_keys(programme.materials or [], values["materials"])}
    for name, value in values.items():
        setattr(programme, name, value)
    flush_or_conflict(CONFLICT)
    record_event("funding.programme_updated", programme, actor=actor,
                 summary=changes(before, snapshot(programme, FIELDS)))


def _keep_keys(old: list[dict], new: list[dict]) -> list[dict]:
    """Materials keep their keys across edits (uploads refer to them); new labels get unused keys."""
    by_label = {m["label"]: m["key"] for m in old}
    used = set(by_label.values())
    kept, fresh = [], (f"m{n}" for n in range(1, 1000) if f"m{n}" not in used)
    for item in new:
        key = by_label.get(item["label"]) or next(fresh)
        kept.append({"key": key, "label": item["label"]})
    return kept


def form_values(programme: FundingProgramme | None) -> dict:
    """The programme as the form's fields, for showing it to edit."""
    if programme is None:
        return {"notice_days": "5", "share_percent": "50", "base__equipment": "1", "base__construction": "1",
                "rule__registered_in_city": "1", "rule__credit_rating": "1", "rule__credit_rating__red": "1",
                "rule__no_duplicate_funding": "1", "rule__no_major_violation__years": "1"}
    rule = programme.amount_rule or {}
    values = {"name": programme.name, "description": programme.description or "", "budget": str(programme.budget),
              "opens_on": programme.opens_on.isoformat(), "closes_on": programme.closes_on.isoformat(),
              "notice_days": str(programme.notice_days),
              "share_percent": str((to_decimal(rule.get("share")) or Decimal(0)) * 100),
              "rubric": "\n".join(f"{c['label']} | {c['weight']}" for c in programme.rubric or []),
              "materials": "\n".join(m["label"] for m in programme.materials or [])}
    values.update({f"cap__{kind}": cap for kind, cap in (rule.get("caps") or {}).items()})
    values.update({f"base__{part}": "1" for part in rule.get("base") or []})
    for item in programme.rules or []:
        values[f"rule__{item['key']}"] = "1"
        if item["key"] == "no_major_violation":
            values["rule__no_major_violation__years"] = str(item.get("years", 1))
        if item["key"] == "credit_rating":
            values.update({f"rule__credit_rating__{level}": "1" for level in item.get("excluded", [])})
        if item["key"] == "project_stage":
            values["rule__project_stage__stage"] = item.get("stage", "approved")
            values["rule__project_stage__within_years"] = str(item.get("within_years") or "")
    return values
