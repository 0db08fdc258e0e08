"""自定义对象 custom objects: record types a tenant defines, with custom fields only.

All custom objects share one table (collection); each object type is a declared record
type with its own scope, so its custom fields, lookups and references are its own, and a
repository of one object type never sees the records of another.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from crmkit.domain.custom_fields import KEY_PATTERN, CustomValue
from crmkit.domain.errors import ValidationError
from crmkit.domain.ids import TenantId, new_id
from crmkit.domain.records import FieldKind, RecordType, scalar, text
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis

NAME_MAX_LENGTH = 200


@attrs.frozen
class CustomObject:
    """One record of a tenant-defined object type; its data is in ``custom``."""

    id: str
    tenant_id: TenantId
    object_type: str
    name: str
    custom: dict[str, CustomValue]
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @classmethod
    def new(
        cls,
        object_type: RecordType[CustomObject],
        tenant_id: TenantId,
        *,
        name: str,
        now: datetime,
        custom: dict[str, CustomValue] | None = None,
    ) -> CustomObject:
        """A new object of ``object_type`` (see :func:`custom_object_type`).

        Raises:
            ValidationError: a blank or too long name.
        """
        moment = utc_millis(now)
        return cls(
            id=new_id(),
            tenant_id=tenant_id,
            object_type=dict(object_type.fixed)["object_type"],
            name=clean_text(name, f"name of the {object_type.entity}", max_length=NAME_MAX_LENGTH),
            custom=dict(custom or {}),
            created_at=moment,
            updated_at=moment,
        )


CUSTOM_OBJECTS: RecordType[CustomObject] = RecordType(
    CustomObject,
    entity="CustomObject",
    name="custom_object",
    fields=(
        text("id", 32),
        text("object_type", 40, indexed=True),
        text("name", NAME_MAX_LENGTH, indexed=True),
        scalar("created_at", FieldKind.DATETIME, indexed=True),
        scalar("updated_at", FieldKind.DATETIME),
    ),
    custom_fields=True,
)
"""The storage of every custom object (table ``crmkit_custom_object``)."""


def custom_object_type(key: str, entity: str) -> RecordType[CustomObject]:
    """The record type of the tenant-defined object type ``key`` ("vehicle"), named ``entity``.

    Its custom fields are defined with ``CustomFieldService.define_field`` like any other;
    reference fields name it by its scope ``custom_object:<key>``.

    Raises:
        ValidationError: a malformed key or entity name.
    """
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise ValidationError(
            f"custom object type {key!r} must be 1-40 lower-case letters, digits or '_', "
            f"starting with a letter (e.g. 'vehicle').",
        )
    return attrs.evolve(
        CUSTOM_OBJECTS,
        entity=clean_text(entity, "custom object type name", max_length=64),
        scope=f"custom_object:{key}",
        fixed=(("object_type", key),),
    )
