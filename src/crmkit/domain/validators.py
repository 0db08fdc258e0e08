"""attrs validators that raise crmkit's ValidationError (attrs' own raise TypeError)."""

from __future__ import annotations

from typing import Any

from crmkit.domain.errors import ValidationError, shown


def is_a(cls: type | tuple[type, ...]) -> Any:
    """An attrs validator: the field's value must be an instance of ``cls``."""
    names = " or ".join(c.__name__ for c in (cls if isinstance(cls, tuple) else (cls,)))

    def check(_instance: object, field: Any, value: object) -> None:
        if not isinstance(value, cls):
            raise ValidationError(
                f"{field.name} must be a {names}, not {type(value).__name__} {shown(value)}.",
                what=field.name,
            )

    return check
