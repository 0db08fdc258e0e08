"""价目表 PriceList: the prices of products for a kind of customer, with quantity tiers.

A price list has a currency, a priority, a validity window and a scope (every account,
account groups, or specific accounts). Its entries give a product a unit price from a
minimum quantity on (a quantity tier), each entry with its own validity window. A list may
instead be *derived* from a base list: every base entry's price moved by a percentage and
rounded to the currency's minor unit by a named rule.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import NewType, TypeVar

import attrs

from crmkit.domain.currency import check_currency, minor_unit
from crmkit.domain.decimals import to_decimal
from crmkit.domain.errors import ValidationError
from crmkit.domain.ids import ProductId, TenantId, new_id
from crmkit.domain.quantity import normal_quantity
from crmkit.domain.rounding import Rounding
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import optional_utc_millis, utc_millis
from crmkit.domain.validators import is_a

PriceListId = NewType("PriceListId", str)
PriceEntryId = NewType("PriceEntryId", str)

NAME_MAX_LENGTH = 200
SCOPE_CODE_MAX_LENGTH = 64
PRICE_STEP = Decimal("0.000001")
"""Unit prices carry at most six decimals (a price may be finer than the minor unit)."""
QUANTITY_STEP = Decimal("0.0001")
"""Quantities carry at most four decimals."""
PERCENT_STEP = Decimal("0.0001")
"""Percentages carry at most four decimals (12.5 means 12.5%)."""
MAX_PRICE = Decimal(10) ** 15
MAX_QUANTITY = Decimal(10) ** 12
_ONE, _ZERO = Decimal(1), Decimal(0)


def _checked_step(value: object, what: str, step: Decimal) -> Decimal:
    number = to_decimal(value, what)
    rounded = number.quantize(step)
    if number != rounded:
        raise ValidationError(
            f"{what} {number} has more than {-int(step.as_tuple().exponent)} decimals; round it "
            f"first (crmkit never rounds an input silently).",
            what=what,
        )
    # One scale for every value of a kind, so that each backend returns it identically.
    return rounded


def unit_price(value: object, what: str = "unit price") -> Decimal:
    """A unit price: 0 <= price < 10**15 with at most six decimals.

    Raises:
        FloatNotAllowed: a float was given.
        ValidationError: negative, too large or too many decimals.
    """
    price = _checked_step(value, what, PRICE_STEP)
    if not Decimal(0) <= price < MAX_PRICE:
        raise ValidationError(f"{what} {price} must be between 0 and {MAX_PRICE}.", what=what)
    return price


def quantity(value: object, what: str = "quantity", *, positive: bool = True) -> Decimal:
    """A quantity: positive (or >= 0 if not ``positive``), below 10**12, four decimals,
    normalised (:func:`~crmkit.domain.quantity.normal_quantity`).

    Raises:
        FloatNotAllowed: a float was given.
        ValidationError: out of range or too many decimals.
    """
    if type(value) is Decimal and value.is_finite() and _ZERO < value < MAX_QUANTITY:
        # the common input, a Decimal in range: only its step and form are left to check
        if value == value.to_integral_value():
            return value.quantize(_ONE)
        number = value
    else:
        number = to_decimal(value, what)
    if number == number.to_integral_value() and number < MAX_QUANTITY:
        # The common quantity, a whole number: always on the step, and normalised as
        # normal_quantity does; anything else (and every refusal) takes the path below.
        if number > 0:
            return number.quantize(_ONE)
        if not positive and number == 0:
            return _ZERO
    amount = normal_quantity(_checked_step(number, what, QUANTITY_STEP))
    low_ok = amount > 0 if positive else amount >= 0
    if not low_ok or amount >= MAX_QUANTITY:
        bound = "greater than 0" if positive else "at least 0"
        raise ValidationError(
            f"{what} {amount} must be {bound} and below {MAX_QUANTITY}.", what=what
        )
    return amount


_WHOLE_DIGITS = len(str(MAX_QUANTITY)) - 1
"""The digits of the largest whole quantity (below ``MAX_QUANTITY``)."""
K = TypeVar("K")


def item_quantities(items: Iterable[tuple[K, object]]) -> list[tuple[K, Decimal]]:
    """Each (key, quantity) item with its quantity checked by :func:`quantity`, in order.

    A ``Decimal`` written as plain digits without a leading zero (``7``, ``250``: a
    positive whole number, exponent 0, in range) is what :func:`quantity` returns for it,
    so it is kept as it is; any other quantity (and every refusal) goes through
    :func:`quantity`.

    Raises:
        FloatNotAllowed: a float was given.
        ValidationError: a quantity is out of range or has too many decimals (the first).
    """
    return [
        (item[0], amount)
        if type(amount := item[1]) is Decimal
        and (text := str(amount)).isdigit()
        and text[0] != "0"
        and len(text) <= _WHOLE_DIGITS
        else (item[0], quantity(amount))
        for item in items
    ]


def percent(value: object, what: str, *, low: Decimal, high: Decimal) -> Decimal:
    """A percentage between ``low`` and ``high`` with at most four decimals.

    Raises:
        FloatNotAllowed: a float was given.
        ValidationError: out of range or too many decimals.
    """
    number = _checked_step(value, what, PERCENT_STEP)
    if not low <= number <= high:
        raise ValidationError(
            f"{what} {number}% is outside {low}..{high}; give a percentage such as 12.5.",
            what=what,
        )
    return number


def _derivation_percent(value: object) -> Decimal:
    return percent(value, "derivation percentage", low=Decimal(-100), high=Decimal(1000))


def _tier_minimum(value: object) -> Decimal:
    return quantity(value, "tier minimum quantity", positive=False)


def _name(value: object) -> str:
    return clean_text(value, "price list name", max_length=NAME_MAX_LENGTH)


class ScopeKind(enum.Enum):
    """Whom a price list applies to. Later members are more specific."""

    EVERYONE = "everyone"
    ACCOUNT_GROUPS = "account_groups"
    ACCOUNTS = "accounts"

    @property
    def specificity(self) -> int:
        """0 for everyone, 1 for account groups, 2 for specific accounts."""
        return _SPECIFICITY[self._value_]


_SPECIFICITY = {kind.value: n for n, kind in enumerate(ScopeKind)}
"""Each kind's place in the declaration order, by value (read once per list judged)."""


def _codes(values: object) -> frozenset[str]:
    if isinstance(values, str) or not isinstance(values, frozenset | set | list | tuple):
        raise ValidationError("scope values must be a collection of account or group codes.")
    return frozenset(clean_text(v, "scope code", max_length=SCOPE_CODE_MAX_LENGTH) for v in values)


@attrs.frozen
class PriceListScope:
    """Every account, the accounts in any of some groups, or some specific accounts."""

    kind: ScopeKind = attrs.field(validator=is_a(ScopeKind))
    codes: frozenset[str] = attrs.field(converter=_codes, factory=frozenset)

    def __attrs_post_init__(self) -> None:
        if (self.kind is ScopeKind.EVERYONE) != (not self.codes):
            raise ValidationError(
                f"a price list scope of kind {self.kind.value} "
                + ("takes no codes" if self.kind is ScopeKind.EVERYONE else "needs codes")
                + "; use PriceListScope.everyone(), .groups(...) or .accounts(...).",
            )

    @classmethod
    def everyone(cls) -> PriceListScope:
        """Applies to every account."""
        return cls(ScopeKind.EVERYONE)

    @classmethod
    def groups(cls, *codes: str) -> PriceListScope:
        """Applies to accounts that belong to at least one of these groups."""
        return cls(ScopeKind.ACCOUNT_GROUPS, frozenset(codes))

    @classmethod
    def accounts(cls, *codes: str) -> PriceListScope:
        """Applies to these accounts only."""
        return cls(ScopeKind.ACCOUNTS, frozenset(codes))

    def covers(self, account_id: str, groups: frozenset[str]) -> bool:
        """Whether an account with these groups is inside the scope."""
        if self.kind is ScopeKind.EVERYONE:
            return True
        if self.kind is ScopeKind.ACCOUNTS:
            return account_id in self.codes
        return bool(self.codes & groups)


def _check_window(
    what: str, record_id: str, valid_from: datetime, valid_until: datetime | None
) -> None:
    if valid_until is not None and valid_until <= valid_from:
        raise ValidationError(
            f"{what} {record_id!r}: valid_until {valid_until.isoformat()} must be after "
            f"valid_from {valid_from.isoformat()}; leave valid_until empty for no end.",
        )


def in_window(valid_from: datetime, valid_until: datetime | None, at: datetime) -> bool:
    """Whether ``at`` lies in [valid_from, valid_until) (no end if ``valid_until`` is None)."""
    return valid_from <= at and (valid_until is None or at < valid_until)


@attrs.frozen
class Derivation:
    """How a derived list's prices follow its base list.

    Each base entry's price becomes ``price * (100 + percent) / 100``, rounded to the
    currency's minor unit by ``rounding``: ``percent = -10`` is 10% below the base list.
    """

    base_list_id: PriceListId
    percent: Decimal = attrs.field(converter=_derivation_percent)
    rounding: Rounding

    def apply(self, base_price: Decimal, currency: str) -> Decimal:
        """The derived unit price for ``base_price`` (rounded once, by the named rule)."""
        exact = base_price * (100 + self.percent) / 100
        return self.rounding.apply(exact, minor_unit(currency))


@attrs.frozen
class PriceList:
    """价目表 A price list of one tenant.

    ``priority``: a lower number is considered first (1 before 2). ``prices_include_tax``
    says whether its prices are tax-inclusive (gross) or tax-exclusive (net). A derived list
    (``derivation`` set) has no entries of its own: it prices from its base list's entries.
    """

    id: PriceListId
    tenant_id: TenantId
    name: str = attrs.field(converter=_name)
    currency: str = attrs.field(validator=lambda _i, _a, v: check_currency(v))
    priority: int
    scope: PriceListScope
    prices_include_tax: bool
    valid_from: datetime = attrs.field(converter=utc_millis)
    valid_until: datetime | None = attrs.field(converter=optional_utc_millis)
    derivation: Derivation | None
    active: bool
    created_at: datetime = attrs.field(converter=utc_millis)
    updated_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1

    def __attrs_post_init__(self) -> None:
        if isinstance(self.priority, bool) or not isinstance(self.priority, int):
            raise ValidationError(f"price list {self.id!r}: priority must be an integer.")
        if not -1_000_000 <= self.priority <= 1_000_000:
            raise ValidationError(
                f"price list {self.id!r}: priority {self.priority} is outside -10**6..10**6."
            )
        _check_window("price list", self.id, self.valid_from, self.valid_until)
        if self.derivation is not None and self.derivation.base_list_id == self.id:
            raise ValidationError(f"price list {self.id!r} cannot be derived from itself.")

    @classmethod
    def new(
        cls,
        tenant_id: TenantId,
        *,
        name: str,
        currency: str,
        priority: int,
        now: datetime,
        scope: PriceListScope | None = None,
        prices_include_tax: bool = False,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        derivation: Derivation | None = None,
        price_list_id: PriceListId | None = None,
    ) -> PriceList:
        """A new active price list, not yet stored.

        Raises:
            ValidationError: a field breaks its rule (unknown currency, empty window...).
        """
        return cls(
            id=price_list_id or PriceListId(new_id()),
            tenant_id=tenant_id,
            name=name,
            currency=currency,
            priority=priority,
            scope=scope or PriceListScope.everyone(),
            prices_include_tax=prices_include_tax,
            valid_from=valid_from or now,
            valid_until=valid_until,
            derivation=derivation,
            active=True,
            created_at=now,
            updated_at=now,
        )

    def is_valid_at(self, at: datetime) -> bool:
        """Whether ``at`` is inside the list's validity window."""
        return in_window(self.valid_from, self.valid_until, at)


@attrs.frozen
class PriceEntry:
    """A product's unit price in a price list from ``min_quantity`` on (a quantity tier)."""

    id: PriceEntryId
    tenant_id: TenantId
    price_list_id: PriceListId
    product_id: ProductId
    min_quantity: Decimal = attrs.field(converter=_tier_minimum)
    unit_price: Decimal = attrs.field(converter=unit_price)
    valid_from: datetime = attrs.field(converter=utc_millis)
    valid_until: datetime | None = attrs.field(converter=optional_utc_millis)
    version: int = 1

    def __attrs_post_init__(self) -> None:
        _check_window("price entry", self.id, self.valid_from, self.valid_until)

    @classmethod
    def new(
        cls,
        price_list: PriceList,
        product_id: ProductId,
        *,
        unit_price: Decimal | int | str,
        min_quantity: Decimal | int | str = 0,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        entry_id: PriceEntryId | None = None,
    ) -> PriceEntry:
        """A new entry of ``price_list`` (valid from the list's start unless given).

        Raises:
            ValidationError: the list is derived (it has no entries of its own), or a field
                breaks its rule.
        """
        if price_list.derivation is not None:
            raise ValidationError(
                f"price list {price_list.id!r} is derived from "
                f"{price_list.derivation.base_list_id!r} and has no entries of its own; add "
                f"the entry to the base list.",
                price_list_id=price_list.id,
            )
        return cls(
            id=entry_id or PriceEntryId(new_id()),
            tenant_id=price_list.tenant_id,
            price_list_id=price_list.id,
            product_id=product_id,
            min_quantity=min_quantity,
            unit_price=unit_price,
            valid_from=valid_from or price_list.valid_from,
            valid_until=valid_until,
        )

    def is_valid_at(self, at: datetime) -> bool:
        """Whether ``at`` is inside the entry's validity window."""
        return in_window(self.valid_from, self.valid_until, at)
