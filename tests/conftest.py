"""Shared test setup. The fixture loaders live in fixture_data.py (plain functions, importable from every
test folder); the folders group tests by what they test (tests/README.md)."""
