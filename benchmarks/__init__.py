"""Benchmark scripts (run them with PYTHONPATH=src:. from the repository root)."""
