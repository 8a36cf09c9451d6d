"""Test fixtures and helpers; see :mod:`devstack.testing.plugin`."""
