"""Benchmarks for sessionlog at a busy clinic's decade of data (see README.md)."""
