"""Readership counting on and off, in the same run (docs/performance.md).

Counting (clinic_site/readership/counting.py) runs on every page view, cached ones
included, so it must cost next to nothing. After the main measurements the run starts
two fresh, identical gunicorns side by side, one with READERSHIP_COUNTING=0, warms both
the same way and measures the article page on each at the target concurrency,
alternating which goes first in each round, so that the rest of the machine's load
falls on both alike; the medians are compared.
"""

import statistics
from pathlib import Path

from bench.report import TARGET_CONNECTIONS
from bench.server import ask, fetch, serving
from bench.wrk import measure


def compare_counting(
    env: dict, run_dir: Path, path: str, *, rounds: int, workers, use_config, **timing
) -> dict:
    """Article throughput on two fresh servers, counting on and off."""
    on, off = [], []
    options = {"workers": workers, "use_config": use_config}
    counted_before = ask(env, "page-views", path)
    with (
        serving(
            env | {"READERSHIP_COUNTING": "1"}, run_dir / "gunicorn-counting-on.log", **options
        ) as server_on,
        serving(
            env | {"READERSHIP_COUNTING": "0"}, run_dir / "gunicorn-counting-off.log", **options
        ) as server_off,
    ):
        for server in (server_on, server_off):
            for _ in range(20 * len(server.workers())):
                fetch(server.port, path)
        for number in range(rounds):
            pair = [(server_on, on), (server_off, off)]
            for server, results in pair if number % 2 == 0 else pair[::-1]:
                results.append(measure(server, path, TARGET_CONNECTIONS, **timing))
    on_rps = statistics.median(result["rps"] for result in on)
    off_rps = statistics.median(result["rps"] for result in off)
    return {
        "path": path,
        "connections": TARGET_CONNECTIONS,
        "rounds": rounds,
        "on_rps": [result["rps"] for result in on],
        "off_rps": [result["rps"] for result in off],
        "on_median_rps": on_rps,
        "off_median_rps": off_rps,
        "on_p99_ms": statistics.median(result["p99_ms"] for result in on),
        "off_p99_ms": statistics.median(result["p99_ms"] for result in off),
        "on_cpu_ms_per_request": statistics.median(
            result["server_cpu_ms_per_request"] for result in on
        ),
        "off_cpu_ms_per_request": statistics.median(
            result["server_cpu_ms_per_request"] for result in off
        ),
        # How much slower counting makes the page (negative: faster, i.e. noise).
        "difference": round(1 - on_rps / off_rps, 3) if off_rps else None,
        "errors": sum(result["errors"] for result in on + off),
        # By the counting server during the comparison (its workers flushed on exit).
        "views_counted": ask(env, "page-views", path) - counted_before,
    }
