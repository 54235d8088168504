"""The demo province: synthetic units, users and items for `make run` and the tests (not shipped logic)."""
