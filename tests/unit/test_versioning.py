"""Records copied with a few fields changed are what ``attrs.evolve`` makes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest

from crmkit.domain import ProductId, TenantId, ValidationError
from crmkit.domain.inventory import StockLevel, WarehouseId
from crmkit.domain.versioning import evolved

NOW = datetime(2026, 3, 4, 5, 6, 7, 891234, tzinfo=UTC)
TENANT, PRODUCT, WAREHOUSE = TenantId("t"), ProductId("p"), WarehouseId("w")


@attrs.frozen
class _Checked:
    code: str = attrs.field(validator=attrs.validators.min_len(2))
    amount: Decimal = attrs.field(converter=Decimal)
    version: int = 1


def _within_limit(instance: _Bounded, _: object, used: int) -> None:
    if used > instance.limit:
        raise ValueError("over the limit")


@attrs.frozen
class _Bounded:
    limit: int
    used: int = attrs.field(validator=_within_limit)


@attrs.frozen
class _Hooked:
    value: int

    def __attrs_post_init__(self) -> None:
        if self.value < 0:
            raise ValueError("negative")


class TestEvolved:
    def test_changed_fields_are_converted_the_others_kept(self) -> None:
        level = StockLevel(TENANT, PRODUCT, WAREHOUSE, Decimal("10.0"), Decimal(0), Decimal(0), NOW)
        later = NOW.replace(microsecond=5)
        changes: dict[str, Any] = {"reserved": Decimal("2.50"), "updated_at": later}
        made = evolved(level, **changes)
        assert made == attrs.evolve(level, **changes)
        assert str(made.reserved) == "2.5"
        assert made.updated_at.microsecond == 0

    def test_a_validated_field_still_refuses(self) -> None:
        record = _Checked("ab", Decimal(1))
        assert evolved(record, amount="2.5") == _Checked("ab", Decimal("2.5"))
        with pytest.raises(ValueError, match="Length"):
            evolved(record, code="x")

    def test_a_validator_reading_a_changed_field_runs_though_its_own_field_is_kept(
        self,
    ) -> None:
        """Lowering ``limit`` below ``used`` is refused, as ``attrs.evolve`` refuses it."""
        with pytest.raises(ValueError, match="over the limit"):
            attrs.evolve(_Bounded(5, 4), limit=3)
        with pytest.raises(ValueError, match="over the limit"):
            evolved(_Bounded(5, 4), limit=3)
        assert evolved(_Bounded(5, 4), limit=4) == _Bounded(4, 4)

    def test_classes_with_hooks_or_unknown_fields_are_evolved(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            evolved(_Hooked(1), value=-1)
        with pytest.raises(TypeError):
            evolved(_Checked("ab", Decimal(1)), nothing=1)

    def test_the_domains_checks_are_not_skipped(self) -> None:
        level = StockLevel(TENANT, PRODUCT, WAREHOUSE, Decimal(1), Decimal(0), Decimal(0), NOW)
        with pytest.raises(ValidationError):
            level.reserve(Decimal(2), NOW)
