"""The port every repository of one record type shares: add, get by id, store a change.

A repository that adds reads of its own declares them beside this (see
:mod:`crmkit.services.ports`); the three methods here read the same for every record type.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

R = TypeVar("R")
K_contra = TypeVar("K_contra", contravariant=True)


class RecordStore(Protocol[R, K_contra]):
    """The records of one type of the unit of work's tenant, found by their id.

    It never sees another tenant's records; a changed record is written only if the stored
    version is the one it was read at.
    """

    def add(self, record: R, /) -> None:
        """Store a new record.

        Raises:
            DuplicateRecord: its id, or another key unique in the tenant, is taken.
            WrongTenant: it belongs to another tenant.
        """
        ...

    def get(self, record_id: K_contra, /) -> R:
        """The record with this id.

        Raises:
            NotFound: no such record in this tenant.
        """
        ...

    def update(self, record: R, /) -> R:
        """Store a changed record and return it with its version incremented.

        Raises:
            NotFound: no such record in this tenant.
            ConcurrencyConflict: the stored version differs (another writer won).
            DuplicateRecord: a new value of a unique key belongs to another record.
        """
        ...
