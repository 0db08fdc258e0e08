"""The crmkit demo: a short, realistic walk through what crmkit does, on real storage.

Run it with ``crmkit demo`` (SQLite file by default) or ``crmkit demo --url URL``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from crmkit.bootstrap import Crm, open_crm
from crmkit.domain import CrmkitError, Product, new_id

DEFAULT_URL = "sqlite:///crmkit-demo.db"

CATALOG = [
    ("TEA-GRN-250", "Green tea, 250 g tin", "tin", "0.13", "tea"),
    ("TEA-BLK-250", "Black tea, 250 g tin", "tin", "0.13", "tea"),
    ("TEA-OOL-500", "Oolong tea, 500 g box", "box", "0.13", "tea"),
    ("CUP-PORC-6", "Porcelain cups, set of 6", "set", "0.13", "tableware"),
    ("KET-IRON-1L", "Cast-iron kettle, 1 L", "pcs", "0.13", "tableware"),
    ("SVC-INSTALL", "On-site installation", "hour", "0.06", "service"),
]


def _line(product: Product) -> str:
    state = "active" if product.active else "inactive"
    return (
        f"  {product.sku:<12} {product.name:<28} {product.unit:<5} "
        f"tax {product.tax_rate:.2%}  v{product.version}  {state}"
    )


@contextmanager
def _rejected(what: str) -> Iterator[None]:
    try:
        yield
    except CrmkitError as error:
        print(f"- {what}: refused with {error.code}: {error.message}")
    else:  # pragma: no cover - the demo shows rejections on purpose
        raise AssertionError(f"{what} was expected to be refused")


def run(crm: Crm, tenant: str) -> None:
    """Walk through the catalog of one tenant, printing each step."""
    shop = crm.tenant(tenant)
    catalog = shop.catalog
    print(f"tenant {tenant!r} on {type(crm.storage).__name__}")

    created = [
        catalog.create_product(sku=sku, name=name, unit=unit, tax_rate=rate, category=category)
        for sku, name, unit, rate, category in CATALOG
    ]
    print(f"- created {len(created)} products")

    kettle = catalog.get_product_by_sku("KET-IRON-1L")
    kettle = catalog.update_product(kettle.id, name="Cast-iron kettle, 1.2 L")
    print(f"- renamed {kettle.sku} (now version {kettle.version})")
    install = catalog.deactivate_product(catalog.get_product_by_sku("SVC-INSTALL").id)
    print(f"- deactivated {install.sku}")

    with _rejected("a second product with SKU TEA-GRN-250"):
        catalog.create_product(sku="TEA-GRN-250", name="Copy", unit="tin", tax_rate="0.13")
    with _rejected("an edit made from a stale form (version 1)"):
        catalog.update_product(kettle.id, expected_version=1, name="Stale edit")
    with _rejected("a tax rate given as a float"):
        catalog.create_product(sku="X", name="X", unit="pcs", tax_rate=0.13)  # type: ignore[arg-type]

    print("- active tea, by SKU:")
    for product in catalog.list_products(active=True, category="tea").items:
        print(_line(product))
    print("- the whole catalog, two products per page:")
    cursor: str | None = None
    page_number = 0
    while True:
        page = catalog.list_products(cursor=cursor, limit=2)
        page_number += 1
        print(f"  page {page_number}")
        for product in page.items:
            print(_line(product))
        if page.next_cursor is None:
            break
        cursor = page.next_cursor


def main(url: str = DEFAULT_URL) -> None:
    """Open ``url`` (creating or upgrading its schema) and run the demo in a new tenant."""
    with open_crm(url, upgrade_schema=True) as crm:
        run(crm, f"demo-{new_id()[:8]}")
