"""自定义对象 custom fields: extra fields a tenant defines for a record type.

A :class:`CustomFieldDefinition` is itself a declared record type, stored by the generic
repositories like any other. :func:`check_custom_values` validates a record's custom
values against the tenant's definitions before any backend writes them.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs

from crmkit.domain.errors import FloatNotAllowed, ValidationError
from crmkit.domain.ids import TenantId, new_id, record_id
from crmkit.domain.record_query import CUSTOM_TEXT_LENGTH
from crmkit.domain.records import FieldKind, RecordType, scalar, text
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis

CustomValue = str | int | Decimal | date
"""A custom value: text (text, choice, reference), int (number), Decimal, or date."""

KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_DECIMAL_PLACES = 6
DECIMAL_LIMIT = Decimal(10) ** 12
"""Custom decimals are below 10**12 in magnitude with at most 6 decimals (exact everywhere)."""
NUMBER_LIMIT = 10**15
MAX_CHOICES = 100


class CustomFieldKind(enum.Enum):
    """What a custom field holds."""

    TEXT = "text"
    NUMBER = "number"
    """A whole number."""
    DECIMAL = "decimal"
    DATE = "date"
    CHOICE = "choice"
    """One of the definition's choices."""
    REFERENCE = "reference"
    """The id of another record (of the type named by ``reference_to``)."""


def _check_key(_: object, __: object, key: str) -> None:
    # Keys become MongoDB field names and filter names: never '$', '.', or anything else.
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise ValidationError(
            f"custom field key {key!r} must be 1-40 lower-case letters, digits or '_', "
            f"starting with a letter (e.g. 'region').",
        )


@attrs.frozen
class CustomFieldDefinition:
    """One custom field of one record type of one tenant; ``key`` is unique per record type."""

    id: str
    tenant_id: TenantId
    record_type: str
    key: str = attrs.field(validator=_check_key)
    label: str
    kind: CustomFieldKind
    choices: tuple[str, ...]
    decimal_places: int
    reference_to: str | None
    required: bool
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @classmethod
    def new(
        cls,
        tenant_id: TenantId,
        *,
        record_type: str,
        key: str,
        label: str,
        kind: CustomFieldKind,
        now: datetime,
        choices: Iterable[str] = (),
        decimal_places: int = 0,
        reference_to: str | None = None,
        required: bool = False,
    ) -> CustomFieldDefinition:
        """A new, active definition, checked.

        Raises:
            ValidationError: a malformed key, label, choice list or decimal places.
        """
        if not isinstance(kind, CustomFieldKind):
            raise ValidationError(f"custom field kind must be a CustomFieldKind, not {kind!r}.")
        _check_key(None, None, key)
        given_choices = list(choices) if not isinstance(choices, str) else [choices]
        cleaned = tuple(
            clean_text(c, f"choice of custom field {key!r}", max_length=CUSTOM_TEXT_LENGTH)
            for c in given_choices
        )
        if (kind is CustomFieldKind.CHOICE) != bool(cleaned) or len(cleaned) > MAX_CHOICES:
            raise ValidationError(
                f"custom field {key!r}: a choice field needs 1 to {MAX_CHOICES} choices, "
                f"other kinds none.",
            )
        if len(set(cleaned)) != len(cleaned):
            raise ValidationError(f"custom field {key!r} lists a choice twice.")
        places_ok = isinstance(decimal_places, int) and not isinstance(decimal_places, bool)
        if not places_ok or not 0 <= decimal_places <= MAX_DECIMAL_PLACES:
            raise ValidationError(
                f"custom field {key!r}: decimal places must be 0 to {MAX_DECIMAL_PLACES}."
            )
        if (kind is CustomFieldKind.REFERENCE) != (reference_to is not None):
            raise ValidationError(
                f"custom field {key!r}: reference_to names the referenced record type of a "
                f"reference field, and only of one.",
            )
        return cls(
            id=new_id(),
            tenant_id=tenant_id,
            record_type=clean_text(record_type, "record type", max_length=64),
            key=key,
            label=clean_text(label, f"label of custom field {key!r}", max_length=200),
            kind=kind,
            choices=cleaned,
            decimal_places=decimal_places if kind is CustomFieldKind.DECIMAL else 0,
            reference_to=None
            if reference_to is None
            else clean_text(reference_to, "referenced record type", max_length=64),
            required=bool(required),
            active=True,
            created_at=utc_millis(now),
            updated_at=utc_millis(now),
        )


CUSTOM_FIELD_DEFINITIONS: RecordType[CustomFieldDefinition] = RecordType(
    CustomFieldDefinition,
    entity="CustomFieldDefinition",
    name="custom_field_definition",
    fields=(
        text("id", 32),
        text("record_type", 64, indexed=True),
        text("key", 40, indexed=True),
        text("label", 200),
        text("kind", 16, indexed=True),
        scalar("decimal_places", FieldKind.INTEGER),
        text("reference_to", 64, nullable=True),
        scalar("required", FieldKind.BOOLEAN),
        scalar("active", FieldKind.BOOLEAN, indexed=True),
        scalar("created_at", FieldKind.DATETIME),
        scalar("updated_at", FieldKind.DATETIME),
    ),
    unique=(("record_type", "key"),),
    nested=("choices",),
)


def check_custom_values(
    entity: str,
    record_key: str,
    definitions: Iterable[CustomFieldDefinition],
    values: object,
) -> dict[str, CustomValue]:
    """The custom values of one record, checked against its type's active definitions.

    Texts are cleaned as every stored text is; decimals keep their exponent (at most the
    definition's decimal places). Blank text means "no value" and is dropped.

    Raises:
        ValidationError: an unknown key, a value of the wrong kind or form, or a required
            field without a value. The message names the record and the field.
    """
    if not isinstance(values, Mapping):
        raise ValidationError(f"custom values of {entity} {record_key!r} must be a mapping.")
    by_key = {d.key: d for d in definitions if d.active}
    checked: dict[str, CustomValue] = {}
    for key, value in values.items():
        where = f"custom field {key!r} of {entity} {record_key!r}"
        definition = by_key.get(key) if isinstance(key, str) else None
        if definition is None:
            raise ValidationError(
                f"{where} is not defined for {entity}; define it first or remove it.",
                field=key,
            )
        if isinstance(value, float):
            raise FloatNotAllowed(where, value)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        checked[key] = _check_value(definition, value, where)
    missing = sorted(k for k, d in by_key.items() if d.required and k not in checked)
    if missing:
        raise ValidationError(
            f"{entity} {record_key!r} needs a value for the required custom fields {missing}.",
            fields=missing,
        )
    return dict(sorted(checked.items()))


def _check_value(definition: CustomFieldDefinition, value: Any, where: str) -> CustomValue:
    kind = definition.kind
    if kind in {CustomFieldKind.TEXT, CustomFieldKind.CHOICE} and isinstance(value, str):
        cleaned = clean_text(value, where, max_length=CUSTOM_TEXT_LENGTH)
        if kind is CustomFieldKind.CHOICE and cleaned not in definition.choices:
            raise ValidationError(
                f"{where} is {cleaned!r}; choose one of {list(definition.choices)}."
            )
        return cleaned
    if kind is CustomFieldKind.REFERENCE and isinstance(value, str):
        return record_id(value, where)
    if kind is CustomFieldKind.NUMBER and isinstance(value, int) and not isinstance(value, bool):
        if not -NUMBER_LIMIT < value < NUMBER_LIMIT:
            raise ValidationError(f"{where} is {value}; numbers stay below 10**15 in magnitude.")
        return value
    if kind is CustomFieldKind.DECIMAL and isinstance(value, Decimal | int):
        if isinstance(value, bool):
            raise ValidationError(f"{where} must be a decimal, not {value!r}.")
        number = Decimal(value)
        step = Decimal(1).scaleb(-definition.decimal_places)
        if not number.is_finite() or abs(number) >= DECIMAL_LIMIT:
            raise ValidationError(f"{where} is {number}; decimals stay below 10**12.")
        if number != number.quantize(step):
            raise ValidationError(
                f"{where} is {number}; it allows {definition.decimal_places} decimals, round it."
            )
        return number.quantize(step) if isinstance(value, int) else number
    if kind is CustomFieldKind.DATE and isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValidationError(
        f"{where} must be a {kind.value} value, not {type(value).__name__} {value!r}.",
        field=definition.key,
    )
