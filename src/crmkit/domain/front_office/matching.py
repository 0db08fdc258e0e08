"""Normalised keys for duplicate detection: phone, email and company name."""

from __future__ import annotations

import re
import unicodedata

from crmkit.domain.errors import ValidationError

_COMPANY_SUFFIXES = (
    "有限责任公司",
    "股份有限公司",
    "有限公司",
    "集团",
    "公司",
    "coltd",
    "ltd",
    "limited",
    "inc",
    "corp",
    "corporation",
    "gmbh",
    "llc",
    "co",
)


def phone_key(phone: str | None) -> str | None:
    """The digits of a phone number, without a leading 00/+ country prefix 86.

    ``"+86 138-0013-8000"``, ``"0086 13800138000"`` and ``"13800138000"`` share one key.

    Raises:
        ValidationError: the number has fewer than 5 or more than 20 digits.
    """
    if phone is None:
        return None
    digits = "".join(c for c in unicodedata.normalize("NFKC", phone) if c.isdigit())
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not 5 <= len(digits) <= 20:
        raise ValidationError(f"phone number {phone!r} must have 5 to 20 digits; correct it.")
    return digits


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email_key(email: str | None) -> str | None:
    """An email address in lower case, trimmed.

    Raises:
        ValidationError: it is not of the form name@domain.tld.
    """
    if email is None:
        return None
    key = unicodedata.normalize("NFKC", email).strip().lower()
    if not _EMAIL.match(key) or len(key) > 200:
        raise ValidationError(f"email address {email!r} is not valid; correct it.")
    return key


def company_key(name: str | None) -> str | None:
    """A company name without case, spaces, punctuation and legal-form suffixes.

    ``"ACME Co., Ltd."`` and ``"acme"`` share one key; ``"上海某某有限公司"`` and
    ``"上海某某"`` too. ``None`` if nothing is left.
    """
    if name is None:
        return None
    folded = unicodedata.normalize("NFKC", name).casefold()
    key = "".join(c for c in folded if c.isalnum())
    changed = True
    while changed:
        changed = False
        for suffix in _COMPANY_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                changed = True
    return key[:200] or None
