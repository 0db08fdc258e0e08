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

from crmkit.domain.condition_json import (
    MAX_DEPTH,
    check_condition,
    condition_fields,
    condition_from_json,
    condition_to_json,
    record_values,
)
from crmkit.domain.condition_nodes import (
    CUSTOM_PREFIX,
    MAX_NODES,
    All,
    Any,
    AnyOf,
    Between,
    ChangedTo,
    Compare,
    Comparison,
    Condition,
    ConditionValue,
    DaysFromNow,
    In,
    InvalidCondition,
    IsEmpty,
    Not,
    eq,
    evaluate,
    fields_of,
    ge,
    gt,
    is_condition,
    le,
    lt,
    ne,
)

__all__ = [
    "CUSTOM_PREFIX",
    "MAX_DEPTH",
    "MAX_NODES",
    "All",
    "Any",
    "AnyOf",
    "Between",
    "ChangedTo",
    "Compare",
    "Comparison",
    "Condition",
    "ConditionValue",
    "DaysFromNow",
    "In",
    "InvalidCondition",
    "IsEmpty",
    "Not",
    "check_condition",
    "condition_fields",
    "condition_from_json",
    "condition_to_json",
    "eq",
    "evaluate",
    "fields_of",
    "ge",
    "gt",
    "is_condition",
    "le",
    "lt",
    "ne",
    "record_values",
]
