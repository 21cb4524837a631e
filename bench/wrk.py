"""Driving wrk, and reading the summary line bench/get.lua makes it print."""

import json
import os
import resource
import shutil
import subprocess
import sys

from bench.server import COMMON_HEADERS, ROOT, Server, busy_cpu_seconds


def ensure_wrk() -> None:
    """wrk from Debian when it is missing and we may install it; otherwise the command."""
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        sys.exit("wrk is not installed: run `sudo apt-get install -y wrk` and try again.")
    print("Installing wrk from Debian ...", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True, timeout=300)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, timeout=300)


def parse_wrk_output(text: str) -> dict:
    """Read the BENCH_JSON line that bench/get.lua's done() prints into plain numbers."""
    for line in text.splitlines():
        if line.startswith("BENCH_JSON "):
            raw = json.loads(line.removeprefix("BENCH_JSON "))
            break
    else:
        raise ValueError("wrk printed no BENCH_JSON line; is bench/get.lua loaded?")
    seconds = raw["duration_us"] / 1e6
    latency = raw["latency_us"]
    errors = {name: int(count) for name, count in raw["errors"].items()}
    requests = int(raw["requests"])

    def ms(key):
        value = latency.get(key)
        return None if value is None else round(value / 1000, 2)

    return {
        "requests": requests,
        "seconds": round(seconds, 3),
        "rps": round(requests / seconds, 1) if seconds else 0.0,
        "bytes_per_request": round(raw["bytes"] / requests) if requests else 0,
        "p50_ms": ms("p50"),
        "p90_ms": ms("p90"),
        "p99_ms": ms("p99"),
        "max_ms": ms("max"),
        "mean_ms": ms("mean"),
        "errors": sum(errors.values()),
        "error_detail": {name: count for name, count in errors.items() if count},
        "statuses": {str(code): int(n) for code, n in sorted(raw.get("statuses", {}).items())},
    }


def wrk(
    port: int,
    path: str,
    connections: int,
    seconds: int,
    script: str = "bench/get.lua",
    headers: dict | None = None,
    script_args: tuple[str, ...] = (),
) -> dict:
    """One wrk run (one thread) against the server on loopback; parse_wrk_output's numbers
    plus the CPU wrk itself used."""
    command = ["wrk", "--threads", "1", "--connections", str(connections)]
    command += ["--duration", f"{seconds}s", "--timeout", "5s", "--script", script]
    for name, value in {**COMMON_HEADERS, **(headers or {})}.items():
        command += ["--header", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    if script_args:
        command += ["--", *script_args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    result = parse_wrk_output(done.stdout)
    wrk_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    result["wrk_cpu_percent"] = round(100 * wrk_cpu / result["seconds"]) if seconds else None
    return result


def measure(server: Server, path: str, connections: int, *, duration: int, warmup: int, **kwargs):
    """wrk for ``duration`` seconds after ``warmup``, with the server's CPU per request,
    the machine's other load and the workers restarted meanwhile."""
    if warmup:
        wrk(server.port, path, connections, warmup, **kwargs)
    cpu_before, busy_before, boots = server.cpu_seconds(), busy_cpu_seconds(), server.boots()
    result = wrk(server.port, path, connections, duration, **kwargs)
    add_cpu(result, server.cpu_seconds() - cpu_before, busy_cpu_seconds() - busy_before)
    result["worker_restarts"] = server.boots() - boots
    return result


def add_cpu(result: dict, server_cpu: float, busy: float) -> None:
    """Server CPU per request, and the share of the machine that was neither the server
    nor wrk: other people's work on a shared box, which makes a run noisy."""
    seconds = result["seconds"]
    result["server_cpu_percent"] = round(100 * server_cpu / seconds)
    result["server_cpu_ms_per_request"] = (
        round(1000 * server_cpu / result["requests"], 2) if result["requests"] else None
    )
    other = busy - server_cpu - result["wrk_cpu_percent"] * seconds / 100
    result["other_cpu_percent"] = max(0, round(100 * other / seconds))
