"""Declared record types: one declaration tells every backend how to store a record type.

A :class:`RecordType` names the attrs class, the entity as users know it, its identity
(always the tenant first, then one text key), its unique keys, the scalar fields (and
which of them can be filtered and ordered by), the nested parts (JSON in SQL, embedded
documents in MongoDB) and whether the records carry tenant-defined custom fields.
The generic repositories of every backend are built from it.
"""

from __future__ import annotations

import enum
from typing import Any, Generic, TypeVar

import attrs

from crmkit.domain.errors import ConfigurationError

R = TypeVar("R")

TENANT_FIELD = "tenant_id"
VERSION_FIELD = "version"
CUSTOM_FIELD = "custom"
"""The attrs field holding a record's custom values (``dict[str, CustomValue]``)."""


_DECLARED: dict[str, RecordType[Any]] = {}
"""Every record type declared in this process, by name (filled as declarations are made)."""


class FieldKind(enum.Enum):
    """How a scalar field is stored and compared on every backend."""

    TEXT = "text"
    """Compared by code point (binary collation on SQL servers)."""
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    """Aware UTC, milliseconds."""


@attrs.frozen
class Field:
    """A scalar field of a record type: a column in SQL, a top-level value in MongoDB.

    ``indexed`` fields can be filtered and ordered by; each gets an index that starts
    with the tenant. ``length`` bounds text, ``precision``/``scale`` bound decimals.
    """

    name: str
    kind: FieldKind
    length: int = 200
    precision: int = 18
    scale: int = 4
    nullable: bool = False
    indexed: bool = False


def text(name: str, length: int, *, nullable: bool = False, indexed: bool = False) -> Field:
    """A text field of at most ``length`` characters."""
    return Field(name, FieldKind.TEXT, length=length, nullable=nullable, indexed=indexed)


def scalar(name: str, kind: FieldKind, *, nullable: bool = False, indexed: bool = False) -> Field:
    """An integer, boolean, date or datetime field."""
    return Field(name, kind, nullable=nullable, indexed=indexed)


def decimal(
    name: str, precision: int, scale: int, *, nullable: bool = False, indexed: bool = False
) -> Field:
    """A decimal field stored exactly with ``scale`` decimals."""
    return Field(
        name,
        FieldKind.DECIMAL,
        precision=precision,
        scale=scale,
        nullable=nullable,
        indexed=indexed,
    )


@attrs.frozen
class RecordType(Generic[R]):
    """The declaration of one record type.

    Attributes:
        record_class: the attrs class of the records (with ``tenant_id`` and ``version``).
        entity: the record's name as users know it, used in error messages.
        name: the storage name (snake case): table ``crmkit_<name>``, collection
            ``crmkit_<plural>`` (see ``prefix``).
        fields: every scalar field, the key included.
        key: the field identifying a record within its tenant (text).
        unique: tuples of field names unique within the tenant.
        nested: fields holding nested parts (attrs objects, tuples, frozensets).
        custom_fields: whether records carry tenant-defined custom fields in ``custom``.
        plural: the collection's name stem; ``name + "s"`` unless given.
        prefix: the prefix of the table and collection names (crmkit's own use
            ``crmkit_``; an application's types may use their own).
        scope: what custom field definitions and references name the type by; ``name``
            unless given. Several types may share one table with different scopes.
        fixed: (field, value) pairs every record of this type has: a type sharing a
            table with others (a custom object type) sees only its own records.
    """

    record_class: type[R]
    entity: str
    name: str
    fields: tuple[Field, ...]
    key: str = "id"
    unique: tuple[tuple[str, ...], ...] = ()
    nested: tuple[str, ...] = ()
    custom_fields: bool = False
    plural: str = ""
    prefix: str = "crmkit_"
    scope: str = ""
    fixed: tuple[tuple[str, str], ...] = ()
    _by_name: dict[str, Field] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        by_name: dict[str, Field] = {}
        for declared in self.fields:
            by_name.setdefault(declared.name, declared)
        object.__setattr__(self, "_by_name", by_name)
        if not self.plural:
            object.__setattr__(self, "plural", self.name + "s")
        if not self.scope:
            object.__setattr__(self, "scope", self.name)
        self._check()
        _DECLARED[self.scope] = self

    @staticmethod
    def named(scope: str) -> RecordType[Any] | None:
        """The declared record type of ``scope`` (custom reference fields name one)."""
        return _DECLARED.get(scope)

    @property
    def table_name(self) -> str:
        """The SQL table of the records."""
        return self.prefix + self.name

    @property
    def collection_name(self) -> str:
        """The MongoDB collection of the records."""
        return self.prefix + self.plural

    def field(self, name: str) -> Field:
        """The declared scalar field ``name``.

        Raises:
            ConfigurationError: no such field.
        """
        found = self.declared(name)
        if found is None:
            raise ConfigurationError(f"{self.entity} declares no field {name!r}.")
        return found

    def declared(self, name: str) -> Field | None:
        """The declared scalar field ``name``, or ``None``."""
        return self._by_name.get(name)

    def attribute_types(self) -> dict[str, Any]:
        """The resolved type of every attrs field of the record class."""
        cls: Any = self.record_class
        attrs.resolve_types(cls)
        return {f.name: f.type for f in attrs.fields(cls)}

    def order_fields(self, order_by: str) -> tuple[str, ...]:
        """The fields a listing ordered by ``order_by`` sorts on (the key breaks ties)."""
        return (self.key,) if order_by == self.key else (order_by, self.key)

    def _check(self) -> None:
        if not attrs.has(self.record_class):
            raise ConfigurationError(f"{self.entity}: {self.record_class!r} is not an attrs class.")
        declared = [f.name for f in self.fields]
        stored = {TENANT_FIELD, VERSION_FIELD, *declared, *self.nested}
        if self.custom_fields:
            stored.add(CUSTOM_FIELD)
        attributes = set(self.attribute_types())
        if len(set(declared)) != len(declared) or stored != attributes:
            raise ConfigurationError(
                f"{self.entity}: the declaration stores {sorted(stored)} but "
                f"{self.record_class.__name__} has {sorted(attributes)}; declare every "
                f"attribute once as a field or a nested part.",
            )
        if self.field(self.key).kind is not FieldKind.TEXT:
            raise ConfigurationError(f"{self.entity}: the key {self.key!r} must be a text field.")
        for name, _ in self.fixed:
            if self.field(name).kind is not FieldKind.TEXT or not self.field(name).indexed:
                raise ConfigurationError(
                    f"{self.entity}: fixed field {name!r} must be indexed text."
                )
        for names in self.unique:
            for name in names:
                if self.field(name).nullable:  # SQL and MongoDB disagree on repeated NULLs
                    raise ConfigurationError(
                        f"{self.entity}: unique field {name!r} must not be nullable."
                    )
