"""The --profile summary of py-spy's samples."""

from bench.profiling import summarise_collapsed_stacks


def test_profile_summary_counts_a_recursive_function_once_per_sample():
    stacks = "\n".join(
        [
            "handle_request (gunicorn/workers/sync.py:1);render (django/template/base.py:2);"
            "render (django/template/base.py:3) 6",
            "handle_request (gunicorn/workers/sync.py:1);execute (django/db/backends/x.py:9) 4",
            "not a stack line",
        ]
    )

    summary = summarise_collapsed_stacks(stacks)

    assert summary["samples"] == 10
    inclusive = {row["frame"]: row["percent"] for row in summary["inclusive"]}
    assert inclusive["render (django/template/base.py)"] == 60.0
    assert "handle_request (gunicorn/workers/sync.py)" not in inclusive  # in every sample
    own = {row["frame"]: row["percent"] for row in summary["self"]}
    assert own == {
        "render (django/template/base.py)": 60.0,
        "execute (django/db/backends/x.py)": 40.0,
    }
