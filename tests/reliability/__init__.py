"""Concurrency, durability and uploads under stress (issue 9)."""
