"""The benchmark harness's own logic: what it reads from wrk, forms and py-spy, and
how it judges the targets. (The load itself runs only under `make bench`.)"""

import json
import urllib.parse

import pytest

from bench.run import (
    COUNTER,
    build_form_body,
    csrf_cookie,
    evaluate_targets,
    parse_post_forms,
    parse_wrk_output,
    render_markdown,
    summarise_collapsed_stacks,
)


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


CONTACT_PAGE = """
<form method="get" action="/articles/search/"><input name="q"></form>
<form method="post" action="" novalidate>
  <input type="hidden" name="csrfmiddlewaretoken" value="TOKEN123">
  <input type="text" name="name" required id="id_name">
  <input type="email" name="email" required>
  <input type="tel" name="phone">
  <input type="radio" name="preferred_contact_method" value="email" required>
  <input type="radio" name="preferred_contact_method" value="phone" required>
  <input type="checkbox" name="voicemail_ok">
  <select name="interest" required><option value="">Choose</option>
    <option value="depression">Depression</option><option value="other">Other</option>
  </select>
  <textarea name="message" required rows="6">
</textarea>
  <input type="checkbox" name="consent" required>
  <input type="text" name="website" tabindex="-1" autocomplete="off">
  <button type="submit">Send</button>
</form>
"""


def test_only_post_forms_are_read_with_their_named_fields_in_order():
    forms = parse_post_forms(CONTACT_PAGE)

    assert len(forms) == 1
    names = [field.name for field in forms[0].fields]
    assert names == [
        "csrfmiddlewaretoken",
        "name",
        "email",
        "phone",
        "preferred_contact_method",
        "preferred_contact_method",
        "voicemail_ok",
        "interest",
        "message",
        "consent",
        "website",
    ]
    interest = forms[0].fields[7]
    assert [value for value, _ in interest.options] == ["", "depression", "other"]


def test_form_body_fills_what_is_required_and_leaves_the_honeypot_empty():
    body = build_form_body(parse_post_forms(CONTACT_PAGE)[0])

    fields = urllib.parse.parse_qs(body, keep_blank_values=True)
    assert fields["csrfmiddlewaretoken"] == ["TOKEN123"]
    assert fields["website"] == [""]
    assert fields["consent"] == ["on"]
    assert "voicemail_ok" not in fields  # optional and unticked: browsers send nothing
    assert fields["preferred_contact_method"] == ["email"]  # one value per radio group
    assert fields["interest"] == ["depression"]  # the first real choice, not the prompt
    assert fields["phone"] == [""]
    assert COUNTER in fields["email"][0] and fields["email"][0].endswith("@example.com")
    assert COUNTER in fields["name"][0] and COUNTER in fields["message"][0]


def test_named_values_replace_the_defaults_and_keep_the_per_request_counter_intact():
    body = build_form_body(
        parse_post_forms(CONTACT_PAGE)[0], {"interest": "other", "name": f"Ada {COUNTER}"}
    )

    fields = urllib.parse.parse_qs(body)
    assert fields["interest"] == ["other"]
    assert fields["name"] == [f"Ada {COUNTER}"]
    # wrk's post.lua replaces the marker in the encoded body: encoding must not touch it.
    assert COUNTER in body


def test_production_csrf_cookie_is_found_among_other_cookies():
    headers = [
        "__Host-sessionid=abc; Path=/; Secure; HttpOnly",
        "__Host-csrftoken=SECRET42; expires=Sat, 20 Nov 2027 00:00:00 GMT; Path=/; Secure",
    ]

    assert csrf_cookie(headers) == ("__Host-csrftoken", "SECRET42")
    assert csrf_cookie(["sessionid=abc; Path=/"]) is None


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


@pytest.mark.django_db
def test_the_body_the_benchmark_posts_is_accepted_and_stored_by_the_real_contact_form():
    from django.test import Client

    from bench.run import CONTACT_VALUES
    from clinic_site.intake.models import ContactRequest

    # The CSRF check on, as in production: the token and cookie must come from the page.
    client = Client(enforce_csrf_checks=True)
    page = client.get("/contact/")
    forms = parse_post_forms(page.content.decode())
    cookie = csrf_cookie([morsel.OutputString() for morsel in page.cookies.values()])
    body = build_form_body(forms[0], CONTACT_VALUES)

    response = client.post(
        "/contact/",
        body.replace(COUNTER, "7"),
        content_type="application/x-www-form-urlencoded",
    )

    assert cookie is not None and cookie[0].endswith("csrftoken")
    assert response.status_code == 302, response.content.decode()[:500]
    stored = ContactRequest.objects.get()
    assert stored.email == "bench-7@example.com"
    assert "Load test 7" in stored.message
