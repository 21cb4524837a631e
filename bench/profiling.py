"""`--profile`: py-spy on every gunicorn worker during one more run, summarised."""

import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench.server import ROOT, Server
from bench.wrk import wrk

VENV_BIN = Path(sys.executable).parent


def profile(
    server: Server, path: str, *, connections: int, seconds: int, output: Path, **wrk_options
) -> dict:
    """py-spy on every worker while wrk loads ``path`` (GET, or what wrk_options say);
    not part of the table, as sampling slows the workers a little."""
    py_spy = VENV_BIN / "py-spy"
    if not py_spy.exists():
        print("Installing py-spy into the virtualenv ...", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "py-spy"], check=True)
    profiler = subprocess.Popen(
        [
            str(py_spy),
            "record",
            "--pid",
            str(server.process.pid),
            "--subprocesses",
            "--duration",
            str(seconds),
            "--rate",
            "200",
            "--format",
            "raw",
            "--output",
            str(output),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1)
    wrk(server.port, path, connections, seconds, **wrk_options)
    _, stderr = profiler.communicate(timeout=seconds + 60)
    if not output.exists():
        return {"error": f"py-spy wrote no profile: {stderr.strip()[-300:]}"}
    # Idle workers wait in select/accept; only samples inside a request say what it costs.
    busy = "\n".join(line for line in output.read_text().splitlines() if "handle_request" in line)
    summary = summarise_collapsed_stacks(busy, top=25)
    summary["file"] = str(output.relative_to(ROOT))
    return summary


def summarise_collapsed_stacks(text: str, top: int = 15) -> dict:
    """Top functions by inclusive and by self share of samples, from py-spy's raw
    (collapsed stacks) output: one "frame;frame;frame count" per line. A recursive
    function counts once per sample."""
    inclusive: Counter = Counter()
    own: Counter = Counter()
    total = 0
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_short_frame(frame) for frame in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    if not total:
        return {"samples": 0, "inclusive": [], "self": []}

    # Frames in every sample (gunicorn's loop, py-spy's "process ..." line) say nothing.
    for frame in [frame for frame, n in inclusive.items() if n == total]:
        del inclusive[frame]

    def share(counter):
        return [
            {"frame": frame, "percent": round(100 * n / total, 1)}
            for frame, n in counter.most_common(top)
        ]

    return {"samples": total, "inclusive": share(inclusive), "self": share(own)}


def _short_frame(frame: str) -> str:
    # py-spy writes "function (path/to/file.py:line)"; keep the function and the path
    # from site-packages/ or the project on, without the line number.
    match = re.match(r"(.*) \((.*?)(?::\d+)?\)$", frame.strip())
    if not match:
        return frame.strip()
    function, path = match.groups()
    for marker in ("site-packages/", str(ROOT) + "/", "lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{function} ({path})"
