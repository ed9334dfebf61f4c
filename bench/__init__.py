"""Benchmarks: each module has run() -> dict."""
