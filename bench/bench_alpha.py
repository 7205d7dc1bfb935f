"""Time themeqa's Krippendorff's alpha against the ``krippendorff`` package.

Not a test: run ``.venv/bin/python bench/bench_alpha.py`` to print the median time of each
implementation on the same 5 coders x 1,000,000 units nominal matrix (4 categories, 10% of
values missing, fixed seed) and the ratio. The target for themeqa is under 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np


def _median_seconds(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    times = []
    result: object = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coders", type=int, default=5)
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--categories", type=int, default=4)
    parser.add_argument("--missing", type=float, default=0.10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()

    import krippendorff

    from themeqa.core.agreement import krippendorff_alpha

    rng = np.random.default_rng(args.seed)
    data = rng.integers(0, args.categories, size=(args.coders, args.units)).astype(float)
    data[rng.random(data.shape) < args.missing] = np.nan

    ours, ours_value = _median_seconds(lambda: krippendorff_alpha(data, "nominal"), args.repeats)
    theirs, theirs_value = _median_seconds(
        lambda: krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"),
        args.repeats,
    )
    print(
        f"data: {args.coders} coders x {args.units:,} units, {args.categories} categories, "
        f"{args.missing:.0%} missing, seed {args.seed}, median of {args.repeats}"
    )
    print(f"themeqa      alpha = {ours_value!s:<24} median {ours * 1000:8.1f} ms")
    print(f"krippendorff alpha = {theirs_value!s:<24} median {theirs * 1000:8.1f} ms")
    print(f"ratio (krippendorff / themeqa) = {theirs / ours:.2f}x")


if __name__ == "__main__":
    main()
