"""Test helpers shared by the test folders, in plain modules (tests import them; no conftest imports)."""
