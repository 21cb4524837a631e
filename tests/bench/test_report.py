"""How the benchmark judges a run against its targets and writes the table."""

import pytest

from bench.report import evaluate_targets, render_markdown


def a_report(*, ratio=0.8, p99=20.0, stored=2500, accepted=2500, rss=80.0):
    row = {
        "page": "article",
        "path": "/articles/a/",
        "connections": 16,
        "rps": 800.0,
        "ratio": ratio,
        "p50_ms": 9.0,
        "p99_ms": p99,
        "errors": 0,
        "error_detail": {},
        "server_cpu_ms_per_request": 1.6,
        "cpu_ratio": 0.625,
    }
    static = row | {"page": "static", "rps": 1000.0, "ratio": 1.0, "server_cpu_ms_per_request": 1.0}
    return {
        "started": "2026-11-22T00:00:00+00:00",
        "machine": {
            "nproc": 2,
            "cpu_model": "Test CPU",
            "memory_gb": 24.0,
            "os": "Linux",
            "python": "3.11",
            "wrk": "4.1.0",
            "commit": "abc123",
        },
        "settings": {
            "workers": 5,
            "worker_class": "sync",
            "gunicorn_config": "gunicorn.conf.py",
            "database": "sqlite",
            "cache": "locmem",
            "duration_s": 10,
            "warmup_s": 2,
        },
        "get": [static, row],
        "post": {
            "path": "/contact/",
            "connections": 16,
            "rps": accepted / 10,
            "accepted": accepted,
            "rejected": 0,
            "stored": stored,
            "stored_per_s": stored / 10,
            "lost": max(0, accepted - stored),
            "in_flight": 0,
            "errors": 0,
            "error_detail": {},
            "p50_ms": 30.0,
            "p99_ms": 90.0,
        },
        "memory": {"workers": [{"pid": 1, "rss_mb": rss, "peak_rss_mb": rss, "pss_mb": 50.0}]},
    }


def test_a_run_that_meets_every_target_says_so():
    targets = evaluate_targets(a_report())

    assert len(targets) == 6
    assert all(target["met"] for target in targets), targets


@pytest.mark.parametrize(
    ("change", "missed"),
    [
        ({"ratio": 0.5}, "throughput vs static"),
        ({"p99": 75.0}, "p99 latency"),
        ({"stored": 2490}, "lost submissions"),
        ({"stored": 1500, "accepted": 1500}, "stored per second"),
        ({"rss": 130.0}, "memory"),
    ],
)
def test_each_missed_target_is_reported_as_missed(change, missed):
    targets = evaluate_targets(a_report(**change))

    assert [target["name"] for target in targets if not target["met"]] == [
        next(target["name"] for target in targets if missed in target["name"])
    ]


def test_markdown_table_shows_each_page_with_its_ratio_to_the_static_ceiling():
    report = a_report(ratio=0.8)
    report["targets"] = evaluate_targets(report)

    markdown = render_markdown(report)

    assert "| static | 16 | 1000 | ceiling |" in markdown
    assert "| article | 16 | 800 | 80% |" in markdown
    assert "| 1.6 | 62% |" in markdown  # CPU per request, and the ratio it implies
    assert "2 cores (Test CPU)" in markdown
    assert "| /contact/ | 16 | 250 | 2500 | 250.0 | 0 | 0 |" in markdown


def counting_result(on: float, off: float) -> dict:
    return {
        "path": "/articles/a/",
        "connections": 16,
        "rounds": 3,
        "on_rps": [on, on, on],
        "off_rps": [off, off, off],
        "on_median_rps": on,
        "off_median_rps": off,
        "on_p99_ms": 20.0,
        "off_p99_ms": 19.0,
        "on_cpu_ms_per_request": 1.1,
        "off_cpu_ms_per_request": 1.05,
        "difference": round(1 - on / off, 3),
        "errors": 0,
        "views_counted": 1234,
    }


@pytest.mark.parametrize(("on", "off", "met"), [(970.0, 1000.0, True), (940.0, 1000.0, False)])
def test_counting_on_must_stay_within_five_percent_of_off(on, off, met):
    report = a_report() | {"counting": counting_result(on, off)}

    [target] = [t for t in evaluate_targets(report) if "counting" in t["name"]]
    assert target["met"] is met
    markdown = render_markdown(report | {"targets": evaluate_targets(report)})
    assert f"| on | {on:.0f} |" in markdown and f"| off | {off:.0f} |" in markdown
    assert "1234 views of the article counted" in markdown


def test_a_run_without_the_counting_comparison_says_so():
    report = a_report() | {"counting": {"skipped": "--counting-rounds 0"}}

    assert not [t for t in evaluate_targets(report) if "counting" in t["name"]]
    assert "Readership counting comparison: not run (--counting-rounds 0)." in render_markdown(
        report
    )
