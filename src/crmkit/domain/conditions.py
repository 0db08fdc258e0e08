"""Conditions: a small declarative expression tree over a record's fields.

One language for approval flows, workflow rules and business processes. Build a tree of
frozen nodes, save it as JSON, check it against the record type when the rule is saved,
evaluate it without ``eval``::

    from decimal import Decimal
    from crmkit.domain.conditions import All, In, gt, evaluate

    big_north = All((gt("amount", Decimal(1000)), In("custom.region", ("north",))))
    evaluate(big_north, {"amount": Decimal(1500), "custom.region": "north"}, now=now)

Nodes and evaluation live in :mod:`crmkit.domain.condition_nodes`, JSON and checks in
:mod:`crmkit.domain.condition_json`; this module gathers them.
"""

from crmkit.domain import condition_json, condition_nodes
from crmkit.domain.condition_json import *  # noqa: F403 - this module gathers the language
from crmkit.domain.condition_nodes import *  # noqa: F403

__all__: list[str] = []
__all__ += condition_nodes.__all__
__all__ += condition_json.__all__
