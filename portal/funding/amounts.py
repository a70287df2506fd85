"""How much an application may receive: a share of the eligible investment, capped per project type, rounded
down to the yuan (a rule of "at most 50%" must never be exceeded by rounding). Exact Decimal throughout.

amount_rule (a programme's data): {"share": "0.5", "base": ["equipment", "construction"],
                                   "caps": {"replacement": "5000000", "upgrade": "10000000"}}
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from portal.numbers import to_decimal

COST_PARTS = ("equipment", "construction", "other")


@dataclass(frozen=True)
class AmountBreakdown:
    base_parts: tuple[str, ...]
    eligible_investment: Decimal
    share: Decimal
    share_amount: Decimal  # share × eligible investment, rounded down to the yuan
    cap: Decimal | None
    capped: bool
    amount: Decimal  # the most the programme gives for this project


def whole_yuan(amount: Decimal) -> bool:
    """Whether `amount` has no fen: funding amounts (budgets, caps, requests, approvals, payments) are whole yuan."""
    return amount == amount.to_integral_value()


def eligible_investment(plan, base_parts) -> Decimal:
    """The sum of the chosen cost parts over the plan's measures, in yuan."""
    return sum((getattr(m, part) or Decimal(0) for m in plan.measures for part in base_parts), Decimal(0))


def compute(amount_rule: dict, project_type: str, investment: Decimal,
            base_parts: tuple[str, ...] | None = None) -> AmountBreakdown:
    share = to_decimal(amount_rule.get("share")) or Decimal(0)
    share_amount = (investment * share).quantize(Decimal(1), rounding=ROUND_DOWN)
    cap = to_decimal((amount_rule.get("caps") or {}).get(project_type))
    capped = cap is not None and share_amount > cap
    return AmountBreakdown(base_parts=tuple(base_parts or amount_rule.get("base") or COST_PARTS),
                           eligible_investment=investment, share=share, share_amount=share_amount, cap=cap,
                           capped=capped, amount=cap if capped else share_amount)


def for_plan(amount_rule: dict, project_type: str, plan) -> AmountBreakdown:
    parts = tuple(p for p in (amount_rule.get("base") or COST_PARTS) if p in COST_PARTS)
    return compute(amount_rule, project_type, eligible_investment(plan, parts), parts)


def as_data(breakdown: AmountBreakdown) -> dict:
    """The breakdown as JSON-safe data (amounts as exact text), to keep with an application."""
    return {"base_parts": list(breakdown.base_parts), "eligible_investment": str(breakdown.eligible_investment),
            "share": str(breakdown.share), "share_amount": str(breakdown.share_amount),
            "cap": None if breakdown.cap is None else str(breakdown.cap), "capped": breakdown.capped,
            "amount": str(breakdown.amount)}


def from_data(data: dict) -> AmountBreakdown:
    return AmountBreakdown(base_parts=tuple(data["base_parts"]),
                           eligible_investment=Decimal(data["eligible_investment"]),
                           share=Decimal(data["share"]), share_amount=Decimal(data["share_amount"]),
                           cap=None if data.get("cap") is None else Decimal(data["cap"]), capped=bool(data["capped"]),
                           amount=Decimal(data["amount"]))
