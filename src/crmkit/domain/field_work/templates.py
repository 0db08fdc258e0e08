"""Visit action templates (拜访动作): the ordered steps of a visit type, versioned.

A template version is never changed: a new version is a new record, and a visit keeps
the version it was planned with.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import attrs

from crmkit.domain.errors import ValidationError
from crmkit.domain.field_work.errors import StepInvalid
from crmkit.domain.ids import TenantId, new_id
from crmkit.domain.records import FieldKind, RecordType, scalar, text
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis

MAX_STEPS = 30
MAX_FIELDS = 30
MAX_VALUE = 500


class StepKind(enum.Enum):
    """What a step asks the rep to do."""

    CHECK_IN = "check_in"
    FORM = "form"
    SHELF_CHECK = "shelf_check"
    CHECK_OUT = "check_out"


class FormFieldKind(enum.Enum):
    """The type of a form step's field."""

    TEXT = "text"
    NUMBER = "number"
    CHOICE = "choice"
    DATE = "date"
    PHOTO = "photo"
    """A reference to a stored photo (its id), not the image."""


@attrs.frozen
class FormField:
    """A typed field of a form step."""

    key: str
    kind: FormFieldKind
    required: bool = True
    choices: tuple[str, ...] = ()


@attrs.frozen
class Step:
    """One step of a visit type: check-in and check-out are always required."""

    code: str
    name: str
    kind: StepKind
    required: bool = True
    fields: tuple[FormField, ...] = ()


@attrs.frozen
class FieldValue:
    """A filled-in form value, as checked text (numbers as plain decimals, dates ISO)."""

    key: str
    value: str


@attrs.frozen
class VisitActionTemplate:
    """One version of the steps of a visit type; (visit_type, version) is unique."""

    id: str
    tenant_id: TenantId
    visit_type: str
    version_no: int
    name: str
    grace_minutes: int
    radius_metres: int | None
    steps: tuple[Step, ...]
    created_at: datetime
    version: int = 1

    @classmethod
    def new(
        cls,
        tenant_id: TenantId,
        *,
        visit_type: str,
        version_no: int,
        name: str,
        grace_minutes: int,
        radius_metres: int | None,
        steps: tuple[Step, ...],
        now: datetime,
    ) -> VisitActionTemplate:
        """A checked template version.

        Raises:
            ValidationError: steps not starting with one check-in and ending with one
                check-out, repeated step codes or field keys, bad choices or limits.
        """
        visit_type = clean_text(visit_type, "visit type", max_length=32)
        where = f"visit type {visit_type!r}"
        if type(grace_minutes) is not int or not 0 <= grace_minutes <= 24 * 60:
            raise ValidationError(f"{where}: grace_minutes must be whole minutes 0..1440.")
        if radius_metres is not None and (
            type(radius_metres) is not int or not 1 <= radius_metres <= 100_000
        ):
            raise ValidationError(f"{where}: radius_metres must be 1..100000 or None.")
        if not isinstance(steps, tuple) or not 2 <= len(steps) <= MAX_STEPS:
            raise ValidationError(f"{where}: give 2..{MAX_STEPS} steps as a tuple.")
        checked = tuple(_step(s, where) for s in steps)
        kinds = [s.kind for s in checked]
        if (
            kinds[0] is not StepKind.CHECK_IN
            or kinds[-1] is not StepKind.CHECK_OUT
            or kinds.count(StepKind.CHECK_IN) != 1
            or kinds.count(StepKind.CHECK_OUT) != 1
        ):
            raise ValidationError(
                f"{where}: the first step must be the only check-in and the last the only "
                f"check-out."
            )
        if len({s.code for s in checked}) != len(checked):
            raise ValidationError(f"{where}: step codes must be unique.")
        return cls(
            id=new_id(),
            tenant_id=tenant_id,
            visit_type=visit_type,
            version_no=version_no,
            name=clean_text(name, f"name of {where}", max_length=200),
            grace_minutes=grace_minutes,
            radius_metres=radius_metres,
            steps=checked,
            created_at=utc_millis(now),
        )

    def step(self, code: str) -> Step | None:
        """The step with this code."""
        return next((s for s in self.steps if s.code == code), None)


def _step(step: object, where: str) -> Step:
    if not isinstance(step, Step) or not isinstance(step.kind, StepKind):
        raise ValidationError(f"{where}: every step must be a Step.")
    code = clean_text(step.code, f"step code in {where}", max_length=32)
    name = clean_text(step.name, f"name of step {code!r} in {where}", max_length=200)
    if not isinstance(step.fields, tuple) or len(step.fields) > MAX_FIELDS:
        raise ValidationError(f"step {code!r} in {where}: at most {MAX_FIELDS} fields, a tuple.")
    if step.fields and step.kind is not StepKind.FORM:
        raise ValidationError(f"step {code!r} in {where}: only form steps have fields.")
    fields = []
    for field in step.fields:
        if not isinstance(field, FormField) or not isinstance(field.kind, FormFieldKind):
            raise ValidationError(f"step {code!r} in {where}: fields must be FormFields.")
        key = clean_text(field.key, f"field key of step {code!r}", max_length=32)
        choices = tuple(clean_text(c, f"choice of {key!r}", max_length=64) for c in field.choices)
        if (field.kind is FormFieldKind.CHOICE) != bool(choices) or len(set(choices)) != len(
            choices
        ):
            raise ValidationError(
                f"field {key!r} of step {code!r} in {where}: choice fields need distinct "
                f"choices, other kinds none."
            )
        fields.append(FormField(key, field.kind, bool(field.required), choices))
    if len({f.key for f in fields}) != len(fields):
        raise ValidationError(f"step {code!r} in {where}: field keys must be unique.")
    required = True if step.kind in (StepKind.CHECK_IN, StepKind.CHECK_OUT) else step.required
    return Step(code, name, step.kind, bool(required), tuple(fields))


def check_form(visit: str, step: Step, values: object) -> tuple[FieldValue, ...]:
    """The checked values of a form step, in the template's field order.

    Raises:
        StepInvalid: an unknown field, a required field without a value, or a value that
            does not fit its field's type.
    """
    if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
        raise StepInvalid(f"values of step {step.code!r} of visit {visit!r} must be a dict.")
    known = {f.key for f in step.fields}
    unknown = sorted(set(values) - known)
    if unknown:
        raise StepInvalid(
            f"step {step.code!r} of visit {visit!r} has no fields {unknown}; known: "
            f"{sorted(known)}."
        )
    filled = []
    for field in step.fields:
        raw = values.get(field.key)
        what = f"field {field.key!r} of step {step.code!r} of visit {visit!r}"
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if field.required:
                raise StepInvalid(f"{what} is required.")
            continue
        filled.append(FieldValue(field.key, _value(field, raw, what)))
    return tuple(filled)


def _value(field: FormField, raw: object, what: str) -> str:
    if field.kind is FormFieldKind.NUMBER:
        if isinstance(raw, bool) or not isinstance(raw, (Decimal, int, str)):
            raise StepInvalid(f"{what} must be a number (Decimal, int or text), never float.")
        try:
            number = Decimal(raw.strip() if isinstance(raw, str) else raw)
        except InvalidOperation:
            raise StepInvalid(f"{what}: {raw!r} is not a number.") from None
        if not number.is_finite() or abs(number) >= 10**15:
            raise StepInvalid(f"{what}: {raw!r} must be finite and below 10^15.")
        return format(number.normalize() if number else Decimal(0), "f")
    if field.kind is FormFieldKind.DATE:
        if type(raw) is date:
            return raw.isoformat()
        try:
            return date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise StepInvalid(f"{what}: {raw!r} is not a date (YYYY-MM-DD).") from None
    try:
        value = clean_text(raw, what, max_length=MAX_VALUE)
    except ValidationError as error:
        raise StepInvalid(str(error)) from None
    if field.kind is FormFieldKind.CHOICE and value not in field.choices:
        raise StepInvalid(f"{what}: {value!r} is not one of {list(field.choices)}.")
    return value


VISIT_ACTION_TEMPLATES: RecordType[VisitActionTemplate] = RecordType(
    VisitActionTemplate,
    entity="VisitActionTemplate",
    name="visit_action_template",
    fields=(
        text("id", 32),
        text("visit_type", 32, indexed=True),
        scalar("version_no", FieldKind.INTEGER, indexed=True),
        text("name", 200),
        scalar("grace_minutes", FieldKind.INTEGER),
        scalar("radius_metres", FieldKind.INTEGER, nullable=True),
        scalar("created_at", FieldKind.DATETIME),
    ),
    unique=(("visit_type", "version_no"),),
    nested=("steps",),
)
