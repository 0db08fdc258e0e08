"""Test support for crmkit and for users' own adapters.

The contract suites in :mod:`crmkit.testing.contracts` are abstract pytest classes: subclass
them in a test module that provides a ``storage`` fixture returning your :class:`Storage`,
and they check that it behaves like crmkit's own backends. This package needs pytest and
hypothesis (``pip install 'crmkit[testing]'``).
"""

from crmkit.testing.tenants import fresh_tenant

__all__ = ["fresh_tenant"]
