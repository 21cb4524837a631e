"""What the benchmark reads from wrk: the summary line bench/get.lua prints."""

import json

import pytest

from bench.wrk import parse_wrk_output


def wrk_output(**overrides) -> str:
    report = {
        "requests": 5000,
        "duration_us": 10_000_000,
        "bytes": 25_000_000,
        "errors": {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0},
        "latency_us": {
            "min": 900,
            "mean": 3100.5,
            "max": 61000,
            "p50": 2500,
            "p90": 5000,
            "p99": 41234,
        },
        "statuses": {},
    }
    report.update(overrides)
    return "Running 10s test @ http://127.0.0.1:8161/\n  1 threads\nBENCH_JSON " + json.dumps(
        report
    )


def test_wrk_summary_becomes_requests_per_second_and_milliseconds():
    result = parse_wrk_output(wrk_output())

    assert result["rps"] == 500.0
    assert result["p50_ms"] == 2.5
    assert result["p99_ms"] == 41.23
    assert result["bytes_per_request"] == 5000
    assert result["errors"] == 0
    assert result["error_detail"] == {}


def test_wrk_errors_of_every_kind_are_added_up_and_named():
    errors = {"connect": 0, "read": 3, "write": 0, "status": 7, "timeout": 2}

    result = parse_wrk_output(wrk_output(errors=errors, statuses={"302": 90, "403": 7}))

    assert result["errors"] == 12
    assert result["error_detail"] == {"read": 3, "status": 7, "timeout": 2}
    assert result["statuses"] == {"302": 90, "403": 7}


def test_a_run_where_nothing_completed_reports_no_latency_rather_than_failing():
    latency = dict.fromkeys(("min", "mean", "max", "p50", "p90", "p99"))

    result = parse_wrk_output(wrk_output(requests=0, bytes=0, latency_us=latency))

    assert result["rps"] == 0
    assert result["p99_ms"] is None


def test_wrk_output_without_the_summary_line_is_an_error():
    with pytest.raises(ValueError, match="BENCH_JSON"):
        parse_wrk_output("Running 10s test\nRequests/sec: 100\n")
