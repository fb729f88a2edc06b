"""Billing test constants (the fixture `fees` is in tests/conftest.py: the browser tests use it too)."""
from datetime import date

TODAY = date(2026, 11, 20)
