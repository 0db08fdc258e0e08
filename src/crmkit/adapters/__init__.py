"""Storage adapters. Only the composition root (:mod:`crmkit.bootstrap`) and tests import them."""
