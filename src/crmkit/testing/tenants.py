"""Fresh tenants: every test writes into a tenant of its own, so no cleanup is needed."""

from __future__ import annotations

from crmkit.domain import TenantId, new_id


def fresh_tenant() -> TenantId:
    """A tenant id no other test uses."""
    return TenantId(f"t-{new_id()[:20]}")
