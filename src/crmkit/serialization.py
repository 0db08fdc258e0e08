"""JSON for every crmkit record and result: one public cattrs converter.

Decimals are written as strings (exact: ``"19.9900"`` stays ``19.9900``), datetimes as ISO 8601
with their UTC offset, enums by value, sets and tuples as lists::

    from crmkit.serialization import from_json, to_json

    text = to_json(product)
    assert from_json(text, Product) == product
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import cattrs
from cattrs.cols import namedtuple_dict_structure_factory, namedtuple_dict_unstructure_factory
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter

from crmkit.domain.errors import ValidationError
from crmkit.domain.pricing_lines import PricedItem, PricedLines

T = TypeVar("T")

converter: cattrs.Converter = make_converter()
"""``converter.unstructure(record)`` gives JSON-ready data; ``structure`` reads it back."""

converter.register_unstructure_hook(Decimal, str)
converter.register_structure_hook(Decimal, lambda value, _: Decimal(str(value)))
converter.register_unstructure_hook(datetime, datetime.isoformat)
converter.register_structure_hook(datetime, lambda value, _: datetime.fromisoformat(value))
# priced lines: each line (a named tuple) as an object, without the index explaining them
converter.register_unstructure_hook(
    PricedItem, namedtuple_dict_unstructure_factory(PricedItem, converter)
)
converter.register_structure_hook(
    PricedItem, namedtuple_dict_structure_factory(PricedItem, converter)
)
converter.register_unstructure_hook(
    PricedLines, make_dict_unstructure_fn(PricedLines, converter, _index=override(omit=True))
)
converter.register_structure_hook(
    PricedLines, make_dict_structure_fn(PricedLines, converter, _index=override(omit=True))
)


def to_data(record: object) -> Any:
    """``record`` as JSON-ready data (dicts, lists, strings, numbers, booleans, None)."""
    return converter.unstructure(record)


def from_data(data: Any, cls: type[T]) -> T:
    """The record of type ``cls`` that :func:`to_data` turned into ``data``.

    Raises:
        ValidationError: ``data`` does not describe a ``cls``.
    """
    try:
        return converter.structure(data, cls)
    except Exception as error:
        raise ValidationError(
            f"the data is not a valid {cls.__name__}: {_reason(error)}; pass what "
            f"crmkit.serialization.to_data or to_json produced for a {cls.__name__}.",
            field=cls.__name__,
        ) from error


def to_json(record: object, **dumps_options: Any) -> str:
    """``record`` as a JSON text (options go to :func:`json.dumps`, e.g. ``indent=2``)."""
    return json.dumps(to_data(record), **dumps_options)


def from_json(text: str | bytes, cls: type[T]) -> T:
    """The record of type ``cls`` written by :func:`to_json`.

    Raises:
        ValidationError: the text is not JSON or not a ``cls``.
    """
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ValidationError(
            f"the text is not JSON ({error}); pass what crmkit.serialization.to_json produced.",
            field=cls.__name__,
        ) from error
    return from_data(data, cls)


def _reason(error: Exception) -> str:
    if isinstance(error, cattrs.BaseValidationError):
        return "; ".join(str(e) for e in error.exceptions)
    return str(error)


__all__ = ["converter", "from_data", "from_json", "to_data", "to_json"]
