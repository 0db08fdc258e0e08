"""crmkit errors survive pickling, so they can cross process boundaries."""

from __future__ import annotations

import pickle

from crmkit.domain import ConcurrencyConflict, CrmkitError, NotFound


class TestErrorPickling:
    """Errors keep their class, code, message and details through pickle."""

    def test_errors_with_their_own_constructor_round_trip(self) -> None:
        """A ConcurrencyConflict and a NotFound come back equal in every visible part."""
        errors: list[CrmkitError] = [
            ConcurrencyConflict("Product", "p1", "t1", "stale version"),
            NotFound("Product", "id", "p1", "t1"),
        ]
        for error in errors:
            back = pickle.loads(pickle.dumps(error))
            assert type(back) is type(error)
            assert (back.code, back.message, back.details) == (
                error.code,
                error.message,
                error.details,
            )
            assert str(back) == str(error)
