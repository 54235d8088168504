"""Use cases: take plain values, flush, never commit (the request commits once)."""
