"""The generic repository of declared record types, and the port each backend implements.

Every backend implements :class:`RecordStore` once (memory, SQL, MongoDB); a unit of work
hands callers a :class:`RecordRepository` over it (``uow.records(SOME_TYPE)``), which
checks ids, tenants, field values, custom values and queries before the store sees them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Iterator
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

import attrs

from crmkit.domain import DuplicateRecord, NotFound, TenantId, ValidationError, WrongTenant
from crmkit.domain.custom_fields import (
    CUSTOM_FIELD_DEFINITIONS,
    CustomFieldDefinition,
    check_custom_values,
)
from crmkit.domain.errors import ConcurrencyConflict, CrmkitError
from crmkit.domain.ids import record_id, record_ids
from crmkit.domain.query_plans import planned
from crmkit.domain.record_query import (
    Equals,
    QueryPlan,
    Scalar,
    check_scalar,
    encode_cursor,
)
from crmkit.domain.records import CUSTOM_FIELD, FieldKind, RecordType
from crmkit.domain.versioning import evolved
from crmkit.services.pagination import Page

R = TypeVar("R")

MAX_GET_MANY = 1000


class RecordStore(Protocol[R]):
    """What a backend does for one declared record type, in one unit of work.

    Values reach it checked by :class:`RecordRepository`. Any error it raises rolls the
    unit of work back.
    """

    def add(self, record: R) -> None:
        """Store a new record.

        Raises:
            DuplicateRecord: the key or a unique key is taken in this tenant.
        """
        ...

    def get(self, key: str) -> R | None:
        """The record with this key, or ``None``."""
        ...

    def get_many(self, keys: Collection[str]) -> list[R]:
        """The records with these keys; unknown keys are left out."""
        ...

    def update(self, record: R) -> None:
        """Replace the stored record whose version is ``record.version - 1``.

        Raises:
            NotFound: no such record.
            ConcurrencyConflict: the stored version differs.
            DuplicateRecord: a unique key is taken by another record.
        """
        ...

    def find(self, plan: QueryPlan) -> list[R]:
        """Up to ``plan.limit`` records matching the plan, in its order, after its cursor."""
        ...

    def fail(self, error: CrmkitError) -> CrmkitError:
        """Roll the unit of work back and return ``error`` for the caller to raise."""
        ...


StoreFactory = Callable[[RecordType[Any]], RecordStore[Any]]


def attribute(record: object, name: str) -> Any:
    """The value of ``name`` in ``record`` (declared records are attrs classes)."""
    return getattr(record, name)


def duplicate_error(
    record_type: RecordType[R],
    record: R,
    tenant_id: TenantId,
    taken: Callable[[tuple[str, ...]], bool],
) -> DuplicateRecord:
    """The error for a ``record`` the storage refused as a duplicate: about the first
    unique key of its type that ``taken`` says the storage named, else about its key."""
    entity = record_type.entity
    for names in record_type.unique:
        if taken(names):
            value = tuple(plain(attribute(record, n)) for n in names)
            shown = value[0] if len(value) == 1 else value
            return DuplicateRecord(entity, ", ".join(names), shown, tenant_id)
    return DuplicateRecord(entity, record_type.key, attribute(record, record_type.key), tenant_id)


def stale_error(
    entity: str,
    key: object,
    tenant_id: TenantId,
    stored: int | None,
    expected: int,
    *,
    key_name: str = "id",
) -> CrmkitError:
    """The error for a version-checked write that matched nothing: the record is gone
    (``stored`` is None) or another writer moved it on to version ``stored``."""
    if stored is None:
        return NotFound(entity, key_name, key, tenant_id)
    reason = f"its stored version is {stored}, not {expected}"
    return ConcurrencyConflict(entity, key, tenant_id, reason)


def sort_values(record: object, plan: QueryPlan) -> tuple[Scalar, ...]:
    """The values ``record`` is ordered by under ``plan`` (order field, then key)."""
    key = attribute(record, plan.key.name)
    if plan.ordered_by_key:
        return (key,)
    if plan.order.custom:
        return (attribute(record, CUSTOM_FIELD)[plan.order.name], key)
    return (plain(attribute(record, plan.order.name)), key)


def plain(value: Any) -> Any:
    """An enum member's value; any other value as it is."""
    return value.value if isinstance(value, enum.Enum) else value


class RecordRepository(Generic[R]):
    """The records of one declared type in one unit of work, checked at the boundary.

    ``stores`` gives the backend's store of a record type in this unit of work (the
    custom field definitions are read through it too).
    """

    def __init__(
        self, record_type: RecordType[R], stores: StoreFactory, tenant_id: TenantId
    ) -> None:
        self.record_type = record_type
        self._store: RecordStore[R] = stores(record_type)
        self._stores = stores
        self._tenant = tenant_id

    def add(self, record: R) -> R:
        """Store a new record and return it as stored (custom values cleaned).

        Raises:
            WrongTenant: the record belongs to another tenant.
            ValidationError: a value does not fit its declared field or custom field.
            DuplicateRecord: the key or a unique key is taken in this tenant.
        """
        record = self._checked(record)
        self._store.add(record)
        return record

    def get(self, key: object) -> R:
        """The record with this key.

        Raises:
            ValidationError: the key is not a valid id.
            NotFound: no such record in this tenant.
        """
        checked = self._key(key)
        record = self._store.get(checked)
        if record is None or not self._own(record):
            raise NotFound(self.record_type.entity, self.record_type.key, checked, self._tenant)
        return record

    def get_many(self, keys: Collection[object]) -> dict[str, R]:
        """The records with these keys, by key; unknown keys are left out.

        Raises:
            ValidationError: a key is not a valid id, or more than 1000 keys were given.
        """
        if isinstance(keys, str) or not isinstance(keys, Collection) or len(keys) > MAX_GET_MANY:
            raise ValidationError(
                f"get_many of {self.record_type.entity} takes a collection of at most "
                f"{MAX_GET_MANY} ids."
            )
        what = f"{self.record_type.entity} {self.record_type.key}"  # as _key names it
        wanted = sorted(set(record_ids(keys, what)))
        found = self._store.get_many(wanted) if wanted else []
        key = self.record_type.key
        if not self.record_type.fixed:  # every record of the table is of this type
            return {getattr(r, key): r for r in found}
        return {getattr(r, key): r for r in found if self._own(r)}

    def get_by(self, field: str, value: object) -> R:
        """The record whose indexed ``field`` is ``value`` (the first by key if several).

        Raises:
            ValidationError: ``field`` is not indexed, or ``value`` does not fit it.
            NotFound: no such record in this tenant.
        """
        found = self.find(Equals(field, value), limit=1).items
        if not found:
            raise NotFound(self.record_type.entity, field, value, self._tenant)
        return found[0]

    def update(self, record: R) -> R:
        """Store a changed record; return it with its version incremented.

        Raises:
            WrongTenant: the record belongs to another tenant.
            NotFound: no such record in this tenant.
            ValidationError: a value does not fit its declared field or custom field.
            ConcurrencyConflict: the stored version is not ``record.version``.
            DuplicateRecord: a unique key is taken by another record.
        """
        record = self._checked(record)
        if self.record_type.fixed:  # the stored record must be of this type too
            stored = self._store.get(attribute(record, self.record_type.key))
            if stored is not None and not self._own(stored):
                key = attribute(record, self.record_type.key)
                raise self._store.fail(
                    NotFound(self.record_type.entity, self.record_type.key, key, self._tenant)
                )
        saved = attrs.evolve(record, version=attribute(record, "version") + 1)  # type: ignore[misc]
        self._store.update(saved)
        return saved

    def find(
        self,
        *filters: object,
        order_by: str | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> Page[R]:
        """A page of the records matching every filter, in keyset order.

        Ordered by ``order_by`` (an indexed field or ``custom.<key>``; the key breaks ties),
        by the key if not given; ordering by a custom field lists only records with a value.

        Raises:
            ValidationError: an unknown or unindexed field, a value of the wrong type, a
                bad limit, or a cursor not made for this listing.
        """
        declared = self.record_type
        definitions = self.custom_definitions() if declared.custom_fields else []
        plan = planned(
            declared,
            {d.key: d.kind.value for d in definitions} if definitions else {},
            [*filters, *(Equals(name, value) for name, value in declared.fixed)]
            if declared.fixed
            else list(filters),
            order_by=order_by,
            after=after,
            limit=limit,
        )
        found = self._store.find(evolved(plan, limit=plan.limit + 1))
        items = found[: plan.limit]
        kinds = [plan.key.kind] if plan.ordered_by_key else [plan.order.kind, plan.key.kind]
        next_cursor = None
        if len(found) > plan.limit:
            next_cursor = encode_cursor(sort_values(items[-1], plan), kinds)
        return Page(tuple(items), next_cursor)

    def every(self, *filters: object, order_by: str | None = None, page: int = 500) -> Iterator[R]:
        """Every record matching the filters, in keyset order, found ``page`` at a time.

        Iterate inside the unit of work that gave this repository.

        Raises:
            ValidationError: as :meth:`find`.
        """
        after: str | None = None
        while True:
            found = self.find(*filters, order_by=order_by, after=after, limit=page)
            yield from found.items
            if found.next_cursor is None:
                return
            after = found.next_cursor

    def custom_definitions(self) -> list[CustomFieldDefinition]:
        """The tenant's active custom field definitions of this record type."""
        if not self.record_type.custom_fields:
            return []
        store: RecordStore[CustomFieldDefinition] = self._stores(CUSTOM_FIELD_DEFINITIONS)
        plan = planned(
            CUSTOM_FIELD_DEFINITIONS,
            {},
            [Equals("record_type", self.record_type.scope), Equals("active", True)],
            order_by="key",
            after=None,
            limit=500,
        )
        return store.find(plan)

    def _own(self, record: R) -> bool:
        """Whether ``record`` has this type's fixed values (a type sharing its table)."""
        fixed = self.record_type.fixed
        return not fixed or all(plain(attribute(record, n)) == v for n, v in fixed)

    def _key(self, key: object) -> str:
        return record_id(key, f"{self.record_type.entity} {self.record_type.key}")

    def _checked(self, record: R) -> R:
        declared = self.record_type
        if not isinstance(record, declared.record_class):
            raise self._store.fail(
                ValidationError(
                    f"expected a {declared.record_class.__name__}, not {type(record).__name__}."
                )
            )
        key = attribute(record, declared.key)
        owner = attribute(record, "tenant_id")
        try:
            self._key(key)
            if owner != self._tenant:
                raise WrongTenant(declared.entity, key, owner, self._tenant)
            if not self._own(record):
                raise ValidationError(
                    f"{declared.entity} {key!r} must have "
                    f"{', '.join(f'{n}={v!r}' for n, v in declared.fixed)}."
                )
            self._check_fields(record, key)
            if declared.custom_fields:
                definitions = self.custom_definitions()
                values = check_custom_values(
                    declared.entity, key, definitions, attribute(record, CUSTOM_FIELD)
                )
                self._check_references(key, definitions, values)
                record = attrs.evolve(record, **{CUSTOM_FIELD: values})  # type: ignore[misc]
        except CrmkitError as error:
            raise self._store.fail(error) from None
        return record

    def _check_references(
        self, key: str, definitions: list[CustomFieldDefinition], values: dict[str, Any]
    ) -> None:
        """Every reference value names an existing record of the referenced type."""
        for definition in definitions:
            value = values.get(definition.key)
            if value is None or definition.reference_to is None:
                continue
            where = f"custom field {definition.key!r} of {self.record_type.entity} {key!r}"
            target = RecordType.named(definition.reference_to)
            if target is None:
                raise ValidationError(
                    f"{where} refers to record type {definition.reference_to!r}, which is not "
                    f"declared in this application; declare it or redefine the field.",
                )
            if self._stores(target).get(value) is None:
                raise ValidationError(
                    f"{where} refers to {target.entity} {value!r}, which does not exist in "
                    f"tenant {self._tenant!r}; create it first or correct the id.",
                )

    def _check_fields(self, record: R, key: str) -> None:
        """Every declared value fits its column on every backend (else the driver would fail)."""
        for declared in self.record_type.fields:
            value = attribute(record, declared.name)
            what = f"{declared.name} of {self.record_type.entity} {key!r}"
            if value is None:
                if not declared.nullable:
                    raise ValidationError(f"{what} must have a value.")
                continue
            checked = check_scalar(value, declared.kind, what, declared.length)
            if declared.kind is FieldKind.TEXT and checked != plain(value):
                raise ValidationError(f"{what} {value!r} has surrounding whitespace; strip it.")
            if declared.kind is FieldKind.DECIMAL:
                _check_decimal(checked, declared.precision, declared.scale, what)
            if declared.kind is FieldKind.DATETIME and _stamp(checked) != _stamp(value):
                raise ValidationError(
                    f"{what} must be in UTC with whole milliseconds; pass it through "
                    f"crmkit.domain.utc_millis first."
                )


def _stamp(moment: Any) -> tuple[object, ...]:
    return (moment.isoformat(), moment.fold, moment.tzinfo)


def _check_decimal(value: Scalar, precision: int, scale: int, what: str) -> None:
    assert isinstance(value, Decimal)
    step = Decimal(1).scaleb(-scale)
    exact = value.as_tuple().exponent == -scale and value == value.quantize(step)
    if not exact or abs(value) >= Decimal(10) ** (precision - scale):
        raise ValidationError(
            f"{what} {value} must have exactly {scale} decimals and fit {precision} digits; "
            f"quantize it (every backend then loads it back identical)."
        )
