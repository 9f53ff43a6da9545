"""Benchmarks that print a table (performance targets are checked here, never by timed tests)."""
