"""The plans a company can subscribe to (seed 000: plans by number of users, monthly or
yearly). The amounts are for display and for telling an upgrade from a downgrade; Stripe
computes what is charged. Each price's Stripe id comes from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.config import Settings

PlanCode = Literal["basic", "plus"]
Interval = Literal["month", "year"]
INTERVALS: tuple[Interval, ...] = ("month", "year")
CURRENCY = "usd"
# A company without a subscription yet has this plan's limits.
DEFAULT_PLAN: PlanCode = "basic"


@dataclass(frozen=True)
class Plan:
    code: PlanCode
    name: str
    max_users: int
    rank: int  # higher is more: moving up is an upgrade
    month_amount: int  # minor units
    year_amount: int

    def amount(self, interval: Interval) -> int:
        return self.month_amount if interval == "month" else self.year_amount

    def price_id(self, settings: Settings, interval: Interval) -> str:
        price_id: str = getattr(settings, f"stripe_price_{self.code}_{interval}")
        return price_id


PLANS: tuple[Plan, ...] = (
    Plan("basic", "Basic", max_users=3, rank=1, month_amount=2900, year_amount=29000),
    Plan("plus", "Plus", max_users=10, rank=2, month_amount=4900, year_amount=49000),
)
BY_CODE: dict[str, Plan] = {plan.code: plan for plan in PLANS}


def plan(code: str) -> Plan:
    """The plan of a code; an unknown code (a plan since retired) has the default's limits."""
    return BY_CODE.get(code) or BY_CODE[DEFAULT_PLAN]


def by_price_id(settings: Settings, price_id: str) -> tuple[Plan, Interval] | None:
    for candidate in PLANS:
        for interval in INTERVALS:
            if candidate.price_id(settings, interval) == price_id:
                return candidate, interval
    return None


def is_upgrade(old: tuple[Plan, Interval], new: tuple[Plan, Interval]) -> bool:
    """More users, or the same plan paid a year ahead: charged at once (`always_invoice`).
    Anything else is a downgrade, whose difference is credited (`create_prorations`)."""
    (old_plan, old_interval), (new_plan, new_interval) = old, new
    return (new_plan.rank, new_interval == "year") > (old_plan.rank, old_interval == "year")
