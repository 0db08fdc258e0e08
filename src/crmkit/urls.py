"""Storage URLs as they may be shown: never with their password."""

from __future__ import annotations

import re

PASSWORD_IN_URL = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)[^@\s]*@")


def masked(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***``.

    >>> masked("cannot reach postgresql+psycopg://app:s3cret@db/crm")
    'cannot reach postgresql+psycopg://app:***@db/crm'
    """
    return PASSWORD_IN_URL.sub(r"\1***@", text)
