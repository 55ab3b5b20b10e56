"""Benchmark scripts: one command each, results in docs/performance.md."""
