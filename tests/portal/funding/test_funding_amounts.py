"""Amounts computed by hand: 50 % of the eligible investment, rounded down to the yuan, capped per kind."""

from decimal import Decimal

from portal.funding import amounts
from portal.funding.demo import DEMO_AMOUNT_RULE


def test_half_of_three_million_construction_is_one_and_a_half_million():
    result = amounts.compute(DEMO_AMOUNT_RULE, "replacement", Decimal("3000000"))
    assert result.share_amount == Decimal("1500000") and result.amount == Decimal("1500000")
    assert not result.capped


def test_a_replacement_is_capped_at_five_million():
    # 50 % of 12,000,000 = 6,000,000 > 5,000,000
    result = amounts.compute(DEMO_AMOUNT_RULE, "replacement", Decimal("12000000"))
    assert result.share_amount == Decimal("6000000")
    assert result.capped and result.amount == Decimal("5000000")


def test_an_upgrade_is_capped_at_ten_million():
    assert amounts.compute(DEMO_AMOUNT_RULE, "upgrade", Decimal("12000000")).amount == Decimal("6000000")
    result = amounts.compute(DEMO_AMOUNT_RULE, "upgrade", Decimal("25000000"))
    assert result.capped and result.amount == Decimal("10000000")


def test_rounding_never_exceeds_the_share():
    # 50 % of 1,000,001.99 = 500,000.995 -> 500,000 (rounded down to the yuan)
    assert amounts.compute(DEMO_AMOUNT_RULE, "upgrade", Decimal("1000001.99")).amount == Decimal("500000")


def test_eligible_investment_counts_the_chosen_cost_parts_of_the_plan():
    class Measure:
        def __init__(self, equipment, construction, other):
            self.equipment, self.construction, self.other = equipment, construction, other

    class Plan:
        measures = [Measure(Decimal("2400000"), Decimal("600000"), Decimal("150000")),
                    Measure(Decimal("100000"), Decimal("0"), Decimal("50000"))]

    result = amounts.for_plan(DEMO_AMOUNT_RULE, "replacement", Plan())
    # equipment + construction = 2,400,000 + 600,000 + 100,000; "other" is not counted
    assert result.eligible_investment == Decimal("3100000")
    assert result.amount == Decimal("1550000")
