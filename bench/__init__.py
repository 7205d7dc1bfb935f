"""Benchmarks (``make bench``) and their synthetic corpus generator; see ``bench/run.py``."""
