"""cattrs conversion between domain objects and table rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar, cast

import cattrs

from crmkit.adapters.sql.loaders import loader

T = TypeVar("T")

converter = cattrs.Converter()
# Rows already hold Decimal and aware datetime values (see types.py): pass them through.
converter.register_unstructure_hook(Decimal, lambda d: d)
converter.register_unstructure_hook(datetime, lambda d: d)
converter.register_structure_hook(Decimal, lambda v, _: v if isinstance(v, Decimal) else Decimal(v))
converter.register_structure_hook(datetime, lambda v, _: v)


def to_row(record: object) -> dict[str, Any]:
    """The column values of a domain record."""
    row: dict[str, Any] = converter.unstructure(record)
    return row


def from_row(row: Mapping[Any, Any], cls: type[T]) -> T:
    """The domain record of type ``cls`` stored in ``row`` (see :mod:`.loaders`)."""
    load = _LOADERS.get(cls)
    if load is None:
        load = _LOADERS[cls] = loader(converter, cls)
    try:
        return cast(T, load(row))
    except Exception:
        return converter.structure(dict(row), cls)


_LOADERS: dict[type[Any], Callable[[Mapping[Any, Any]], Any]] = {}


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size`` (for bounded ``IN (...)`` lists)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
