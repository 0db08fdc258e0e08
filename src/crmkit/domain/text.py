"""Validation of the short texts records carry (codes, names)."""

from __future__ import annotations

import unicodedata

from crmkit.domain.errors import ValidationError, shown


def clean_text(value: object, what: str, *, max_length: int) -> str:
    """Strip ``value`` and check it is a non-empty single-line text of at most ``max_length``.

    Leading and trailing whitespace is removed so that every backend compares the same
    text (some SQL collations ignore trailing spaces). Control characters are refused.

    Raises:
        ValidationError: not a string, empty, too long, or with control characters.
    """
    if not isinstance(value, str):
        raise ValidationError(f"{what} must be text, not {type(value).__name__}.", what=what)
    text = value.strip()
    if not text:
        raise ValidationError(f"{what} must not be empty.", what=what)
    if len(text) > max_length:
        raise ValidationError(
            f"{what} {text[:20]!r}... is {len(text)} characters long; at most {max_length} "
            f"are allowed.",
            what=what,
        )
    if not (text.isascii() and text.isprintable()) and any(  # fast path: printable ASCII
        unicodedata.category(ch) in {"Cc", "Cs", "Co", "Cn"} for ch in text
    ):
        raise ValidationError(
            f"{what} {shown(text)} contains control or unassigned characters; remove them.",
            what=what,
        )
    return text


def clean_optional_text(value: object, what: str, *, max_length: int) -> str | None:
    """Like :func:`clean_text`, but ``None`` (or blank text) means absent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return clean_text(value, what, max_length=max_length)
