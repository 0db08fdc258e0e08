"""Finding one part of a record by its key: a line by number, a stage by code, ..."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def the_one(
    items: Iterable[T], matches: Callable[[T], bool], missing: Callable[[], Exception]
) -> T:
    """The first of ``items`` that ``matches``.

    Raises:
        Exception: ``missing()`` when none matches (a CrmkitError that names the choices).
    """
    for item in items:
        if matches(item):
            return item
    raise missing()
