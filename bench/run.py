"""The options of `make bench` and the order of a run (docs/performance.md, "What a run
does"): prepare the site, start gunicorn, check and warm every page, measure each page
at each concurrency against the static ceiling, POST the contact form, read memory,
optionally profile, and write the report."""

import argparse
import gzip
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.counting import compare_counting
from bench.posts import CONTACT_PATH, bench_posts, prepare_posts
from bench.profiling import profile
from bench.report import RESULTS, TARGET_CONNECTIONS, machine_info, progress_line, write
from bench.server import ask, fetch, memory_of, run_manage, serving, site_env
from bench.wrk import ensure_wrk, measure
from tests.servers import GunicornDidNotStart

STATIC_COPY = "bench/article.html"  # inside STATIC_ROOT, served at /static/bench/...

# The pages, in the order each concurrency level runs them. "static" is the ceiling.
PAGES = {
    "static": "/static/" + STATIC_COPY,
    "home": "/",
    "article": "/articles/{slug}/",
    "article_list": "/articles/",
    "contact": CONTACT_PATH,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="make bench BENCH_ARGS=...",
        description="Load-test the site under gunicorn with production settings on loopback.",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before each one")
    parser.add_argument(
        "--connections", default="1,16,64", help="concurrency levels for the GET pages"
    )
    parser.add_argument("--post-connections", type=int, default=TARGET_CONNECTIONS)
    parser.add_argument("--pages", default=",".join(PAGES), help="GET pages to measure")
    parser.add_argument("--no-post", action="store_true", help="skip contact form POSTs")
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py, else 3)"
    )
    parser.add_argument(
        "--no-config", action="store_true", help="ignore gunicorn.conf.py: sync workers, flags"
    )
    parser.add_argument("--slug", default="how-ketamine-infusion-works", help="article")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="article",
        choices=[*(page for page in PAGES if page != "static"), "contact_post"],
        help="after the run, py-spy the workers during one more run of this page (article)",
    )
    parser.add_argument(
        "--counting-rounds",
        type=int,
        default=3,
        help="article with readership counting on vs off: rounds of each (0 skips)",
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the throwaway SQLite")
    args = parser.parse_args(argv)
    levels = [int(n) for n in args.connections.split(",")]
    pages = [page for page in PAGES if page in args.pages.split(",")]
    if "static" not in pages:
        pages.insert(0, "static")  # ratios need the ceiling

    ensure_wrk()
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    run_dir = RESULTS / stamp
    run_dir.mkdir()
    try:
        report = run(args, levels, pages, run_dir)
    except GunicornDidNotStart as problem:
        sys.exit(str(problem))
    finally:
        tidy(run_dir, keep_db=args.keep_db)
    markdown = write(report, stamp)
    print()
    print(markdown)
    print(f"Written: bench/results/{stamp}.json, .md and latest.md")
    return 0


def tidy(run_dir: Path, keep_db: bool) -> None:
    """Compress the server log (a line per request) and drop the throwaway database,
    whether the run finished or not."""
    log = run_dir / "gunicorn.log"
    if log.exists():
        with log.open("rb") as source, gzip.open(f"{log}.gz", "wb") as target:
            shutil.copyfileobj(source, target)
        log.unlink()
    if not keep_db:
        for leftover in run_dir.glob("bench.sqlite3*"):
            leftover.unlink()


def prepare(env: dict, slug: str) -> dict[str, str]:
    """Migrate, collect static files, import content/ and write the static ceiling; the
    path of every page."""
    run_manage(env, "migrate", "--noinput")
    run_manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    run_manage(env, "import_content")
    slug = ask(env, "article", slug)
    if not slug:
        sys.exit("No published article to benchmark: does content/ import?")
    paths = {page: path.format(slug=slug) for page, path in PAGES.items()}
    size = ask(env, "static-copy", paths["article"], STATIC_COPY)
    print(f"Static ceiling: /{STATIC_COPY} ({size} bytes, the page at {paths['article']})")
    return paths


def checks(port: int, paths: dict[str, str]) -> dict:
    """What a browser would notice: status, compression, and conditional GET."""
    found = {}
    for page, path in paths.items():
        status, headers, _ = fetch(port, path)
        if status != 200:
            sys.exit(f"GET {path} answered {status}, not 200: fix the site before benchmarking.")
        found[f"{page} gzip"] = headers.get("Content-Encoding") == "gzip"
    _, headers, _ = fetch(port, paths["article"])
    validators = {}
    if headers.get("ETag"):
        validators["If-None-Match"] = headers["ETag"]
    if headers.get("Last-Modified"):
        validators["If-Modified-Since"] = headers["Last-Modified"]
    if validators:
        status, _, _ = fetch(port, paths["article"], headers=validators)
        found["article conditional GET"] = status
    else:
        found["article conditional GET"] = "no ETag or Last-Modified"
    found["article Cache-Control"] = headers.get("Cache-Control", "none")
    return found


def run(args, levels: list[int], pages: list[str], run_dir: Path) -> dict:
    throwaway = run_dir / "bench.sqlite3"
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{throwaway}"
    env = site_env(database_url)
    print(f"Preparing the site ({'DATABASE_URL' if 'DATABASE_URL' in os.environ else throwaway})")
    paths = prepare(env, args.slug)

    report: dict = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "get": [],
    }
    timing = {"duration": args.duration, "warmup": args.warmup}
    log = run_dir / "gunicorn.log"
    with serving(env, log, workers=args.workers, use_config=not args.no_config) as server:
        workers = server.workers()
        report["settings"] = {
            "workers": len(workers),
            "worker_class": server.worker_class(),
            "gunicorn_config": server.described(),
            # Variables gunicorn or its config read, when this run overrides them.
            "gunicorn_env": {
                name: os.environ[name]
                for name in ("WEB_CONCURRENCY", "GUNICORN_MAX_REQUESTS", "GUNICORN_CMD_ARGS")
                if name in os.environ
            },
            "database": "sqlite" if database_url.startswith("sqlite") else "postgresql",
            "cache": "redis" if env.get("REDIS_URL") else "locmem (per worker)",
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "tls": "none: plain HTTP on loopback, X-Forwarded-Proto: https trusted",
        }
        print(f"gunicorn on 127.0.0.1:{server.port}, {len(workers)} workers; warming up")
        report["checks"] = checks(server.port, paths)
        for path in paths.values():
            for _ in range(20 * len(workers)):  # every worker renders every page
                fetch(server.port, path)

        for connections in levels:
            ceiling = ceiling_cpu = None
            for page in pages:
                result = measure(server, paths[page], connections, **timing)
                if page == "static":
                    ceiling, ceiling_cpu = result["rps"], result["server_cpu_ms_per_request"]
                ratio = round(result["rps"] / ceiling, 3) if ceiling else None
                cpu = result["server_cpu_ms_per_request"]
                # What the ratio would be on a machine with nothing else running: both
                # are CPU-bound, so throughput goes as 1 / CPU time per request.
                cpu_ratio = round(ceiling_cpu / cpu, 3) if ceiling_cpu and cpu else None
                row = {"page": page, "path": paths[page], "connections": connections}
                row |= result | {"ratio": ratio, "cpu_ratio": cpu_ratio}
                report["get"].append(row)
                print(progress_line(page, connections, result, ratio), flush=True)

        load = None
        if args.no_post:
            report["post"] = {"skipped": "--no-post"}
        else:
            load = prepare_posts(server.port, env, run_dir)
            post = bench_posts(server, env, load, connections=args.post_connections, **timing)
            report["post"] = post
            print(
                f"  contact POST  c={post['connections']:<3} {post['rps']:>8.0f} "
                f"accepted/s  stored {post['stored']} ({post['stored_per_s']}/s)  "
                f"lost {post['lost']}  rejected {post['rejected']}  errors {post['errors']}",
                flush=True,
            )

        report["memory"] = {
            "workers": [memory_of(pid) for pid in server.workers()],
            "master": memory_of(server.process.pid),
            "worker_restarts": max(0, server.boots() - report["settings"]["workers"]),
        }
        if args.profile:
            report["profile"] = profile_run(server, args.profile, paths, load, args, run_dir)

    # Two fresh servers, after the main one has stopped (bench/counting.py).
    if args.counting_rounds > 0:
        counting = compare_counting(
            env,
            run_dir,
            paths["article"],
            rounds=args.counting_rounds,
            workers=args.workers,
            use_config=not args.no_config,
            **timing,
        )
        report["counting"] = counting
        print(
            f"  article counting on {counting['on_median_rps']:.0f} req/s, off "
            f"{counting['off_median_rps']:.0f} req/s (median of {counting['rounds']}): "
            f"{counting['difference']:+.1%}; {counting['views_counted']} views counted",
            flush=True,
        )
    else:
        report["counting"] = {"skipped": "--counting-rounds 0"}

    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    return report


def profile_run(server, page: str, paths: dict, load, args, run_dir: Path) -> dict:
    """--profile: one more run of the page (or of the contact POSTs) under py-spy."""
    options = {"connections": TARGET_CONNECTIONS, "seconds": args.duration}
    output = run_dir / f"{page}-profile.txt"
    if page != "contact_post":
        summary = profile(server, paths[page], output=output, **options)
    elif load is None:
        summary = {"error": "no contact POSTs to profile (--no-post)"}
    else:
        summary = profile(server, CONTACT_PATH, output=output, **options, **load.options())
    return summary | {"page": page}
