"""Concurrency, durability and uploads under stress."""
