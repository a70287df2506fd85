"""A life cycle as one table: which action moves an object from which states to which, who may take it, and
whether it needs a comment. Pages offer exactly the actions the table allows; services refuse the others."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    who: Callable[..., bool]  # predicate (user, obj) -> bool
    needs_comment: bool = False


class Workflow:
    def __init__(self, *transitions: Transition):
        self.transitions = {t.action: t for t in transitions}

    def __getitem__(self, action: str) -> Transition:
        return self.transitions[action]

    def can(self, user, action: str, obj) -> bool:
        transition = self.transitions[action]
        return obj.status in transition.sources and bool(transition.who(user, obj))

    def allowed_actions(self, user, obj) -> list[str]:
        return [action for action in self.transitions if self.can(user, action, obj)]
