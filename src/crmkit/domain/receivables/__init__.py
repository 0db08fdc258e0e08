"""Receivables: payments received (回款) and their allocation to sales orders."""
