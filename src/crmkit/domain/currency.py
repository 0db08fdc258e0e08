"""ISO 4217 currencies and the number of digits of their minor unit."""

from __future__ import annotations

from decimal import Decimal

from crmkit.domain.errors import ValidationError, shown

_ZERO_DIGITS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DIGITS = "BHD IQD JOD KWD LYD OMR TND"
_FOUR_DIGITS = "CLF UYW"
_TWO_DIGITS = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN "
    "BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB "
    "EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS "
    "KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN "
    "MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD "
    "SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS "
    "UAH USD USN UYU UZS VES VED WST XCD YER ZAR ZMW ZWG"
)

MINOR_UNIT_DIGITS: dict[str, int] = {
    **dict.fromkeys(_ZERO_DIGITS.split(), 0),
    **dict.fromkeys(_TWO_DIGITS.split(), 2),
    **dict.fromkeys(_THREE_DIGITS.split(), 3),
    **dict.fromkeys(_FOUR_DIGITS.split(), 4),
}


def check_currency(code: str) -> str:
    """Return ``code`` if it is a known ISO 4217 currency code.

    Raises:
        ValidationError: the code is not a known ISO 4217 currency.
    """
    if not isinstance(code, str) or code not in MINOR_UNIT_DIGITS:
        raise ValidationError(
            f"{shown(code)} is not an ISO 4217 currency code crmkit knows; use an upper-case "
            f"three-letter code such as 'CNY', 'EUR' or 'USD'.",
            field="currency",
            currency=shown(code),
        )
    return code


def minor_unit(code: str) -> Decimal:
    """The smallest amount of the currency, e.g. ``Decimal('0.01')`` for CNY."""
    known = _MINOR_UNITS.get(code) if type(code) is str else None
    return (
        known if known is not None else Decimal(1).scaleb(-MINOR_UNIT_DIGITS[check_currency(code)])
    )


_MINOR_UNITS = {code: Decimal(1).scaleb(-digits) for code, digits in MINOR_UNIT_DIGITS.items()}
"""The minor unit of every code :func:`check_currency` accepts, worked out once."""
