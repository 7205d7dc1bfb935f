"""The fuzz tests' tally: how many inputs each reader was given, shown after the run.

Each fuzz test records ``("fuzz_inputs", (reader, count))`` as a user property (so it
crosses from pytest-xdist workers to the controller); ``pytest_terminal_summary`` adds them
up per reader, with the number of fuzz tests that failed (a failure is an input that gave a
traceback or a message that is not one line).
"""

from __future__ import annotations

from collections import Counter

import pytest


@pytest.fixture
def tally(record_property):
    """``tally(reader)`` returns a function to call once per input; the count is recorded
    when the test ends."""
    counts: Counter[str] = Counter()

    def for_reader(reader: str):
        def one() -> None:
            counts[reader] += 1

        return one

    yield for_reader
    for reader, n in counts.items():
        record_property("fuzz_inputs", (reader, n))


def pytest_terminal_summary(terminalreporter) -> None:
    inputs: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    stats = terminalreporter.stats
    failed_ids = {r.nodeid for r in stats.get("failed", []) if getattr(r, "when", "") == "call"}
    for reports in stats.values():
        for report in reports:
            # recorded in the fixture's teardown, so carried by the teardown report
            if getattr(report, "when", None) != "teardown":
                continue
            for name, value in getattr(report, "user_properties", []):
                if name == "fuzz_inputs":
                    inputs[value[0]] += value[1]
                    failed[value[0]] += report.nodeid in failed_ids
    if not inputs:
        return
    terminalreporter.write_sep("-", "fuzz inputs per reader (failed tests)")
    for reader in sorted(inputs):
        terminalreporter.write_line(f"{reader:32} {inputs[reader]:7,} ({failed[reader]})")
    terminalreporter.write_line(f"{'total':32} {sum(inputs.values()):7,} "
                                f"({sum(failed.values())})")
