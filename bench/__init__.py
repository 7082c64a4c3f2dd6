"""Benchmarks: each bench_*.py module measures one capability and prints one line per figure."""
