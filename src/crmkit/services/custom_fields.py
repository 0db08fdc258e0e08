"""自定义对象 custom fields: a tenant defines extra fields for its declared record types."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crmkit.domain import ValidationError
from crmkit.domain.custom_fields import (
    CUSTOM_FIELD_DEFINITIONS,
    CustomFieldDefinition,
    CustomFieldKind,
)
from crmkit.domain.records import RecordType
from crmkit.services.boundary import checked_calls
from crmkit.services.ports import UnitOfWork
from crmkit.services.tenant_service import TenantService


@checked_calls
class CustomFieldService(TenantService):
    """Defines and lists the custom fields of one tenant's record types."""

    def define_field(
        self,
        record_type: RecordType[Any],
        *,
        key: str,
        label: str,
        kind: CustomFieldKind,
        choices: Iterable[str] = (),
        decimal_places: int = 0,
        reference_to: RecordType[Any] | None = None,
        required: bool = False,
    ) -> CustomFieldDefinition:
        """Add a custom field to ``record_type``; records written from now on are checked.

        A required field applies to records written after it was defined: existing records
        without a value must get one the next time they are changed.

        Raises:
            ValidationError: the record type takes no custom fields, or a malformed key,
                label, choice list or decimal places.
            DuplicateRecord: the record type has a custom field with this key already.
        """
        if not isinstance(record_type, RecordType) or not record_type.custom_fields:
            raise ValidationError(
                f"{getattr(record_type, 'entity', record_type)!r} takes no custom fields; "
                f"declare it with custom_fields=True.",
            )
        if reference_to is not None and not isinstance(reference_to, RecordType):
            raise ValidationError("reference_to must be the declared record type referred to.")

        def define(uow: UnitOfWork) -> CustomFieldDefinition:
            definition = CustomFieldDefinition.new(
                uow.tenant_id,
                record_type=record_type.scope,
                key=key,
                label=label,
                kind=kind,
                now=self._clock.now(),
                choices=choices,
                decimal_places=decimal_places,
                reference_to=None if reference_to is None else reference_to.scope,
                required=required,
            )
            uow.records(CUSTOM_FIELD_DEFINITIONS).add(definition)
            return definition

        return self._retried(define)

    def fields_of(self, record_type: RecordType[Any]) -> list[CustomFieldDefinition]:
        """The active custom fields of ``record_type``, by key."""
        with self._uow() as uow:
            return uow.records(record_type).custom_definitions()
