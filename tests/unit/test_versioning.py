"""Records copied with a few fields changed are what ``attrs.evolve`` makes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit.domain import ProductId, TenantId, ValidationError
from crmkit.domain.inventory import Reservation, ReservationStatus, StockLevel, WarehouseId
from crmkit.domain.versioning import evolved, next_version
from crmkit.testing.strategies import timestamps

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


_QUANTITIES = st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False)
_MOMENTS = st.datetimes(timezones=st.just(UTC))  # not millisecond-clean: converters apply
_RESERVATIONS = st.builds(
    Reservation,
    id=st.just("r"),
    tenant_id=st.just(TENANT),
    order_id=st.just("o"),
    line_id=st.sampled_from(["1", "2"]),
    product_id=st.just(PRODUCT),
    warehouse_id=st.just(WAREHOUSE),
    quantity=_QUANTITIES,
    shipped=_QUANTITIES,
    released=_QUANTITIES,
    status=st.sampled_from(ReservationStatus),
    expires_at=st.none() | timestamps(),
    created_at=timestamps(),
    updated_at=timestamps(),
    version=st.integers(0, 100),
)
_LEVELS = st.builds(
    StockLevel,
    tenant_id=st.just(TENANT),
    product_id=st.just(PRODUCT),
    warehouse_id=st.just(WAREHOUSE),
    on_hand=_QUANTITIES,
    reserved=_QUANTITIES,
    quarantine=_QUANTITIES,
    updated_at=timestamps(),
    version=st.integers(0, 100),
)
_CHANGES: dict[str, st.SearchStrategy[Any]] = {
    "quantity": _QUANTITIES,
    "shipped": _QUANTITIES,
    "released": _QUANTITIES,
    "reserved": _QUANTITIES,
    "on_hand": _QUANTITIES,
    "status": st.sampled_from(ReservationStatus),
    "line_id": st.sampled_from([" 3 ", "4"]),
    "expires_at": st.none() | _MOMENTS,
    "updated_at": _MOMENTS,
    "version": st.integers(0, 100),
}


def _alike(made: Any, reference: Any) -> None:
    """Equal, of one class, and each field the same value of the same type, alike in text
    (a Decimal's exponent shows)."""
    assert type(made) is type(reference)
    assert made == reference
    for field in attrs.fields(type(reference)):
        mine, theirs = getattr(made, field.name), getattr(reference, field.name)
        assert type(mine) is type(theirs)
        assert str(mine) == str(theirs)


class TestCopiesMatchEvolve:
    @given(record=_RESERVATIONS | _LEVELS, data=st.data())
    def test_evolved_is_what_attrs_evolve_makes(self, record: Any, data: st.DataObject) -> None:
        """Any changes to any fields, in any order, give what ``attrs.evolve`` gives."""
        names = [f.name for f in attrs.fields(type(record)) if f.name in _CHANGES]
        chosen = data.draw(st.lists(st.sampled_from(names), unique=True))
        changes = {name: data.draw(_CHANGES[name]) for name in chosen}
        _alike(evolved(record, **changes), attrs.evolve(record, **changes))

    @given(record=_RESERVATIONS | _LEVELS)
    def test_next_version_is_the_evolved_version_bump(self, record: Any) -> None:
        """The next version is ``attrs.evolve`` at ``version + 1``, field for field."""
        _alike(next_version(record), attrs.evolve(record, version=record.version + 1))
