"""Benchmarks: scripts that measure and print figures beside their baselines."""
