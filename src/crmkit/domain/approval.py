"""The approval hook of order confirmation: one declared, simple rule.

A confirm that meets the rule stops at *pending approval* with the reasons instead of
confirming; ``approve`` then confirms. A later issue brings configurable approval flows;
until then this is the whole hook: a rule object the service is given, asked once per
confirm, returning reasons (none means "no approval needed").
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from crmkit.domain.decimals import to_decimal
from crmkit.domain.sales_order import SalesOrder


def _optional_percent(value: object) -> Decimal | None:
    return None if value is None else to_decimal(value, "approval threshold percent")


@attrs.frozen
class ApprovalRule:
    """Needs approval when a discount passes ``max_discount_percent`` (line or document),
    when the order uses more credit than ``credit_share_percent`` of the account's credit
    limit, or when the order carries approval reasons from its quote.
    ``None`` switches a threshold off."""

    max_discount_percent: Decimal | None = attrs.field(default=None, converter=_optional_percent)
    credit_share_percent: Decimal | None = attrs.field(default=None, converter=_optional_percent)

    def reasons(self, order: SalesOrder, credit_used: Decimal, credit_limit: Decimal) -> list[str]:
        """Why ``order`` (which would use ``credit_used`` of ``credit_limit``) needs approval."""
        found = list(order.approval_reasons)
        limit = self.max_discount_percent
        if limit is not None:
            if order.discount_percent > limit:
                found.append(f"document discount {order.discount_percent}% is above {limit}%")
            for line in order.lines:
                if line.discount_percent > limit:
                    found.append(
                        f"line {line.line_no} ({line.sku}) discount {line.discount_percent}% is "
                        f"above {limit}%"
                    )
        share = self.credit_share_percent
        if share is not None and credit_used > 0:
            allowed = credit_limit * share / 100
            if credit_used > allowed:
                found.append(f"it uses {credit_used} of credit, above {share}% of the limit")
        return list(dict.fromkeys(found))
