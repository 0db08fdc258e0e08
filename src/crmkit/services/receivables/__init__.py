"""Receivables services: payments received (回款) and their allocation."""
