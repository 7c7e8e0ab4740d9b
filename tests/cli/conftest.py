"""Fixtures the command tests share with the tests of the modules the commands call."""

from tests.measures.irt.conftest import lsat6_data  # noqa: F401  (the LSAT6 reference data)
