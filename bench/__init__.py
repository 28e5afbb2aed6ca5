"""Benchmarks: each measure beside a bare baseline measured in the same run (issue 8).

Run ``python -m bench`` (full: team-week, team-year and city-year data) or
``python -m bench --scale smoke`` (tiny data, as the test suite does so they cannot rot).
"""
