"""What a run found: the targets met or missed, the Markdown table, the machine it ran
on, and the files written to bench/results/."""

import json
import os
import platform
import shutil
import subprocess
from pathlib import Path

from bench.server import ROOT

RESULTS = ROOT / "bench" / "results"

# The targets the site must meet on the 2-core development machine with the article
# page and the contact form at 16 connections (docs/performance.md, "The targets"): a
# rendered article at least 70% as fast as the same bytes served as a static file, a p99
# under 50 ms, 200 contact requests stored per second on SQLite, and each worker's
# resident memory under 120 MB.
TARGET_RATIO = 0.70
TARGET_P99_MS = 50.0
TARGET_POSTS_PER_S = 200.0
TARGET_RSS_MB = 120.0
TARGET_CONNECTIONS = 16
# Readership counting on every page view costs the article at most this much throughput.
TARGET_COUNTING_DIFFERENCE = 0.05


def evaluate_targets(report: dict) -> list[dict]:
    """The targets against this run: name, target, measured, met."""
    results = []
    article = _find(report["get"], "article", TARGET_CONNECTIONS)
    if article:
        results += [
            {
                "name": f"Article at {TARGET_CONNECTIONS} connections: throughput vs static",
                "target": f">= {TARGET_RATIO:.0%}",
                "measured": f"{_ratio(article['ratio'])} "
                f"(by CPU per request: {_ratio(article.get('cpu_ratio'))})",
                "met": article["ratio"] is not None and article["ratio"] >= TARGET_RATIO,
            },
            {
                "name": f"Article at {TARGET_CONNECTIONS} connections: p99 latency",
                "target": f"< {TARGET_P99_MS:g} ms",
                "measured": f"{article['p99_ms']} ms",
                "met": article["p99_ms"] is not None and article["p99_ms"] < TARGET_P99_MS,
            },
            {
                "name": f"Article at {TARGET_CONNECTIONS} connections: errors",
                "target": "0",
                "measured": str(article["errors"]),
                "met": article["errors"] == 0,
            },
        ]
    counting = report.get("counting") or {}
    if "difference" in counting:
        results.append(
            {
                "name": f"Article at {TARGET_CONNECTIONS} connections: readership counting on "
                "vs off (median req/s)",
                "target": f"within {TARGET_COUNTING_DIFFERENCE:.0%}",
                "measured": f"{counting['difference']:+.1%}",
                "met": counting["difference"] is not None
                and abs(counting["difference"]) <= TARGET_COUNTING_DIFFERENCE,
            }
        )
    post = report.get("post") or {}
    if "stored" in post:
        on_sqlite = report["settings"]["database"] == "sqlite"
        results += [
            {
                "name": "Contact POSTs: errors and lost submissions",
                "target": "0 and 0",
                "measured": f"{post['errors'] + post['rejected']} and {post['lost']}",
                "met": post["errors"] == 0 and post["rejected"] == 0 and post["lost"] == 0,
            },
            {
                "name": "Contact POSTs: stored per second"
                + ("" if on_sqlite else " (target is for SQLite)"),
                "target": f">= {TARGET_POSTS_PER_S:g}/s",
                "measured": f"{post['stored_per_s']}/s",
                "met": post["stored_per_s"] >= TARGET_POSTS_PER_S,
            },
        ]
    workers = report.get("memory", {}).get("workers", [])
    if workers:
        largest = max(worker["rss_mb"] for worker in workers)
        results.append(
            {
                "name": "Resident memory per worker after the run (largest)",
                "target": f"< {TARGET_RSS_MB:g} MB",
                "measured": f"{largest} MB",
                "met": largest < TARGET_RSS_MB,
            }
        )
    return results


def _find(rows: list[dict], page: str, connections: int) -> dict | None:
    return next((r for r in rows if r["page"] == page and r["connections"] == connections), None)


def _fmt(value, suffix=""):
    return "n/a" if value is None else f"{value}{suffix}"


def _ratio(value):
    return "n/a" if value is None else f"{value:.0%}"


def _errors(row):
    if not row["errors"]:
        return "0"
    detail = ", ".join(f"{name} {count}" for name, count in row["error_detail"].items())
    return f"**{row['errors']}** ({detail})"


def progress_line(page: str, connections: int, result: dict, ratio) -> str:
    """One measurement as the run prints it while it goes."""
    return (
        f"  {page:<13} c={connections:<3} {result['rps']:>8.0f} req/s  "
        f"p50 {_fmt(result['p50_ms'])} ms  p99 {_fmt(result['p99_ms'])} ms  "
        f"errors {result['errors']}  ratio {_ratio(ratio)}"
    )


def render_markdown(report: dict) -> str:
    machine, run = report["machine"], report["settings"]
    lines = [
        f"## Benchmark {report['started']}",
        "",
        f"Machine: {machine['nproc']} cores ({machine['cpu_model']}), "
        f"{machine['memory_gb']} GB RAM, {machine['os']}; Python {machine['python']}, "
        f"wrk {machine['wrk']}. Commit {machine['commit']}.",
        f"Server: gunicorn, {run['workers']} {run['worker_class']} workers "
        f"({run['gunicorn_config']}"
        + "".join(f", {name}={value}" for name, value in run.get("gunicorn_env", {}).items())
        + f"); database {run['database']}, cache {run['cache']}; "
        f"{run['duration_s']} s per measurement after {run['warmup_s']} s warm-up; "
        "wrk and the server share the machine.",
        "",
        "| Page | Conns | req/s | vs static | p50 ms | p99 ms | Errors | Server CPU ms/req "
        "| vs static by CPU | Other load | Restarts |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in report["get"]:
        static = row["page"] == "static"
        lines.append(
            f"| {row['page']} | {row['connections']} | {row['rps']:.0f} "
            f"| {'ceiling' if static else _ratio(row['ratio'])} "
            f"| {_fmt(row['p50_ms'])} | {_fmt(row['p99_ms'])} | {_errors(row)} "
            f"| {_fmt(row.get('server_cpu_ms_per_request'))} "
            f"| {'ceiling' if static else _ratio(row.get('cpu_ratio'))} "
            f"| {_fmt(row.get('other_cpu_percent'), '%')} | {_fmt(row.get('worker_restarts'))} |"
        )
    lines += [
        "",
        "Server CPU: gunicorn master and workers, user and kernel, per request. "
        "vs static by CPU: the static file's CPU per request over the page's, which is "
        "the throughput ratio a machine running nothing else would show. "
        "Other load: CPU used by other processes on the machine during the measurement "
        f"(100% = one core; load average {machine.get('loadavg', 'n/a')} at the start); "
        "a high value makes that row's req/s and latency noisy. "
        "Restarts: workers gunicorn started during the measurement (max_requests); each "
        "costs about a second of CPU and shows in that row's CPU and p99.",
        "",
    ]
    counting = report.get("counting") or {}
    if "difference" in counting:
        lines += [
            f"Readership counting, {counting['path']} at {counting['connections']} connections, "
            f"{counting['rounds']} alternating rounds against a second server with "
            "READERSHIP_COUNTING=0:",
            "",
            "| Counting | req/s (median) | each round | p99 ms | Server CPU ms/req |",
            "| --- | ---: | --- | ---: | ---: |",
            f"| on | {counting['on_median_rps']:.0f} "
            f"| {', '.join(f'{rps:.0f}' for rps in counting['on_rps'])} "
            f"| {_fmt(counting['on_p99_ms'])} | {_fmt(counting['on_cpu_ms_per_request'])} |",
            f"| off | {counting['off_median_rps']:.0f} "
            f"| {', '.join(f'{rps:.0f}' for rps in counting['off_rps'])} "
            f"| {_fmt(counting['off_p99_ms'])} | {_fmt(counting['off_cpu_ms_per_request'])} |",
            "",
            f"Difference: {counting['difference']:+.1%} (positive: slower with counting); "
            f"{counting['views_counted']} views of the article counted during the run.",
            "",
        ]
    elif counting:
        lines += [f"Readership counting comparison: not run ({counting.get('skipped')}).", ""]
    post = report.get("post") or {}
    if "stored" in post:
        lines += [
            "| Contact POSTs | Conns | accepted/s | stored | stored/s | lost | rejected "
            "| p50 ms | p99 ms | Errors | Server CPU ms/req | Other load | Restarts |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
            "| ---: |",
            f"| {post['path']} | {post['connections']} | {post['rps']:.0f} | {post['stored']} "
            f"| {post['stored_per_s']} | {post['lost']} | {post['rejected']} "
            f"| {_fmt(post['p50_ms'])} | {_fmt(post['p99_ms'])} | {_errors(post)} "
            f"| {_fmt(post.get('server_cpu_ms_per_request'))} "
            f"| {_fmt(post.get('other_cpu_percent'), '%')} | {_fmt(post.get('worker_restarts'))} |",
        ]
        if post.get("in_flight"):
            lines.append(
                f"\n{post['in_flight']} more rows than accepted responses: requests in flight "
                "when wrk stopped, completed by the server after wrk stopped counting."
            )
    else:
        lines.append(f"Contact POSTs: not run ({post.get('skipped', 'no result')}).")
    memory = report.get("memory", {})
    if memory.get("workers"):
        lines += [
            "",
            f"Workers restarted during the run (max_requests or a crash): "
            f"{memory.get('worker_restarts', 'n/a')}.",
            "",
            "| Worker pid | Age s | RSS MB | Peak RSS MB | PSS MB |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for worker in memory["workers"]:
            lines.append(
                f"| {worker['pid']} | {_fmt(worker.get('age_s'))} | {worker['rss_mb']} "
                f"| {worker['peak_rss_mb']} | {_fmt(worker.get('pss_mb'))} |"
            )
    if report.get("targets"):
        lines += ["", "| Target | Wanted | Measured | Met |", "| --- | --- | --- | --- |"]
        for target in report["targets"]:
            met = {True: "yes", False: "**no**", None: "not run"}[target["met"]]
            lines.append(
                f"| {target['name']} | {target['target']} | {target['measured']} | {met} |"
            )
    profile = report.get("profile") or {}
    if profile.get("samples"):
        lines += [
            "",
            f"Profile of the {profile['page']} page at {TARGET_CONNECTIONS} connections "
            f"(py-spy, {profile['samples']} samples inside requests, {profile['file']}):",
            "",
            "| Inclusive % | Function | | Self % | Function |",
            "| ---: | --- | --- | ---: | --- |",
        ]
        for inclusive, own in zip(profile["inclusive"], profile["self"], strict=False):
            lines.append(
                f"| {inclusive['percent']} | `{inclusive['frame']}` | "
                f"| {own['percent']} | `{own['frame']}` |"
            )
    elif profile:
        lines += ["", f"Profile: {profile.get('error', 'no samples')}"]
    if report.get("checks"):
        lines += ["", "Checks: " + "; ".join(f"{k}: {v}" for k, v in report["checks"].items())]
    return "\n".join(lines) + "\n"


def machine_info() -> dict:
    cpu_model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    commit = _output(["git", "rev-parse", "--short", "HEAD"]) or "unknown"
    if _output(["git", "status", "--porcelain", "--untracked-files=no"]):
        commit += " (with uncommitted changes)"
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gb": round(total_kb / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "wrk": (_output(["wrk", "-v"]) or "").split(" [")[0].removeprefix("wrk ").strip(),
        "commit": commit,
        "loadavg": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
    }


def _output(command: list[str]) -> str:
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (done.stdout or done.stderr).strip()


def write(report: dict, stamp: str) -> str:
    """<stamp>.json and .md under bench/results/, copied to latest.*; the Markdown."""
    report["targets"] = evaluate_targets(report)
    markdown = render_markdown(report)
    (RESULTS / f"{stamp}.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / f"{stamp}.md").write_text(markdown)
    shutil.copyfile(RESULTS / f"{stamp}.json", RESULTS / "latest.json")
    shutil.copyfile(RESULTS / f"{stamp}.md", RESULTS / "latest.md")
    return markdown
