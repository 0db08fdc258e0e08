"""Bulk import of products and prices from CSV files, with a progress bar.

Products are written one by one and the import can be re-run: a product whose SKU exists
with the same fields is skipped, one with other fields is updated. Prices are checked row
by row, then added to the price list in one unit of work (all or none).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from crmkit.domain import ConfigurationError, CrmkitError, NotFound, ValidationError
from crmkit.domain.ids import record_id
from crmkit.domain.price_list import PriceListId
from crmkit.services.catalog import CatalogService
from crmkit.services.pricing import EntryInput, PricingService

PRODUCT_COLUMNS = ("sku", "name", "unit", "tax_rate")
PRICE_COLUMNS = ("sku", "unit_price")
BAR_WIDTH = 30


class ProgressBar:
    """A one-line text progress bar on ``stream`` (nothing when ``stream`` is None)."""

    def __init__(self, label: str, total: int, stream: TextIO | None) -> None:
        self.label, self.total, self.stream = label, max(total, 1), stream
        self._shown = -1

    def update(self, done: int) -> None:
        """Show ``done`` of the total (redrawn only when the bar moves)."""
        if self.stream is None:
            return
        filled = BAR_WIDTH * done // self.total
        if filled == self._shown and done != self.total:
            return
        self._shown = filled
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{self.total}")
        if done >= self.total:
            self.stream.write("\n")
        self.stream.flush()


def read_rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV file with a header row naming at least ``required``.

    Raises:
        ConfigurationError: the file cannot be read.
        ValidationError: a required column is missing.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.DictReader(file)
            rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]
            columns = {name.strip() for name in reader.fieldnames or ()}
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ConfigurationError(f"cannot read the CSV file {str(path)!r}: {error}.") from None
    missing = [name for name in required if name not in columns]
    if missing:
        raise ValidationError(
            f"the CSV file {str(path)!r} has no column {', '.join(missing)}; its header row "
            f"must name {', '.join(required)}.",
            field=missing[0],
        )
    return rows


def _numbered(rows: list[dict[str, str]], bar: ProgressBar) -> Iterator[tuple[int, dict[str, str]]]:
    for index, row in enumerate(rows):
        yield index + 2, row  # line 1 is the header
        bar.update(index + 1)


def _same(stored: object, given: str | None) -> bool:
    if isinstance(stored, Decimal):
        try:
            return stored == Decimal(given or "")
        except ArithmeticError:
            return False
    return (stored or None) == (given or None)


def _at_line(error: CrmkitError, path: Path, line: int, done: str) -> ValidationError:
    return ValidationError(
        f"{path.name} line {line}: [{error.code}] {error.message} ({done})",
        field=error.field,
        line=line,
    )


def import_products(catalog: CatalogService, path: Path, progress: TextIO | None) -> str:
    """Create or update the products listed in ``path``; returns a one-line report.

    Raises:
        ValidationError: a row is invalid (its line is named; the rows before it are kept).
        ConfigurationError: the file cannot be read.
    """
    rows = read_rows(path, PRODUCT_COLUMNS)
    created = updated = unchanged = 0
    bar = ProgressBar("products", len(rows), progress)
    for line, row in _numbered(rows, bar):
        fields = {name: row[name] for name in PRODUCT_COLUMNS}
        category = row.get("category") or None
        try:
            try:
                current = catalog.get_product_by_sku(fields["sku"])
            except NotFound:
                catalog.create_product(**fields, category=category)
                created += 1
                continue
            wanted = {**fields, "category": category}
            changes = {k: v for k, v in wanted.items() if not _same(getattr(current, k), v)}
            if not changes:
                unchanged += 1
                continue
            catalog.update_product(current.id, expected_version=current.version, **changes)
            updated += 1
        except CrmkitError as error:
            done = f"{created} created, {updated} updated before it are kept; fix it, run again"
            raise _at_line(error, path, line, done) from error
    return f"products: {created} created, {updated} updated, {unchanged} unchanged"


def import_prices(
    catalog: CatalogService,
    pricing: PricingService,
    price_list: str,
    path: Path,
    progress: TextIO | None,
) -> str:
    """Add the prices listed in ``path`` to a price list, all or none; returns a report.

    Raises:
        ValidationError: a row is invalid (its line is named; nothing is added).
        NotFound: no such price list.
        ConfigurationError: the file cannot be read.
    """
    list_id = PriceListId(record_id(price_list, "price list id"))
    rows = read_rows(path, PRICE_COLUMNS)
    entries = []
    bar = ProgressBar("prices", len(rows), progress)
    for line, row in _numbered(rows, bar):
        try:
            product = catalog.get_product_by_sku(row["sku"])
        except CrmkitError as error:
            raise _at_line(error, path, line, "nothing was added") from error
        entries.append(EntryInput(product.id, row["unit_price"], row.get("min_quantity") or "0"))
    pricing.add_entries(list_id, entries)
    return f"prices: {len(entries)} added to price list {list_id}"
