"""What the benchmark asks the site itself, answered by Django in a process of its own.

bench/server.py runs `python -m bench.site COMMAND [ARGS]` with the site's environment
(production settings, the run's database) and reads the one JSON value it prints last:

- ``article SLUG``: the slug of that published article, or of the longest one.
- ``static-copy PATH NAME``: renders PATH and writes the HTML into the collected static
  files as NAME (with the .gz that whitenoise serves); prints its size in bytes.
- ``contact-body``: the urlencoded contact form submission wrk sends (see contact_body).
- ``contact-requests``: how many contact requests are stored.
- ``page-views PATH``: the views of PATH the readership figures hold (after the flush).
"""

import argparse
import gzip
import json
import sys
from pathlib import Path
from urllib.parse import urlencode

import django

# bench/post.lua puts each request's own number wherever this stands.
COUNTER = "__N__"

# What makes each benchmark submission distinct (and recognisable as a load test); the
# other fields keep the test factory's valid values.
CONTACT_VALUES = {
    "name": f"Bench Tester {COUNTER}",
    "email": f"bench-{COUNTER}@example.com",
    "message": (
        "I would like to know whether infusions could help me and what the first "
        f"appointment involves. (Load test {COUNTER}: please ignore.)"
    ),
}

# The host production_env allows, reached as through the TLS proxy.
REQUEST_HEADERS = {"host": "clinic.example", "x-forwarded-proto": "https"}


def article(slug: str) -> str:
    from clinic_site.articles.models import Article

    published = Article.objects.published()
    chosen = published.filter(slug=slug).first() or published.order_by("-word_count").first()
    return chosen.slug if chosen else ""


def static_copy(path: str, name: str) -> int:
    from django.conf import settings
    from django.test import Client

    response = Client().get(path, headers=REQUEST_HEADERS)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}, not 200")
    target = Path(settings.STATIC_ROOT) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(response.content)
    # whitenoise serves the .gz to clients that accept gzip, as for every collected file.
    target.with_name(target.name + ".gz").write_bytes(gzip.compress(response.content, 9))
    return len(response.content)


def contact_body() -> str:
    """The test factory's valid submission with CONTACT_VALUES, urlencoded; the CSRF
    token is added by the caller, who has the cookie. The project's ContactForm must
    accept it, so a new required field stops the run here with the form's own message."""
    from clinic_site.intake.forms import ContactForm
    from tests.factories import form_data

    data = form_data(**CONTACT_VALUES)
    form = ContactForm(data={name: value.replace(COUNTER, "1") for name, value in data.items()})
    if not form.is_valid():
        raise SystemExit(f"the contact form refuses the benchmark's submission: {form.errors}")
    # urlencode leaves COUNTER's letters and underscores as they are, for post.lua to find.
    return urlencode(data)


def contact_requests() -> int:
    from clinic_site.intake.models import ContactRequest

    return ContactRequest.objects.count()


def page_views(path: str) -> int:
    from django.db.models import Sum

    from clinic_site.readership.models import PageViews

    return PageViews.objects.filter(path=path).aggregate(total=Sum("count"))["total"] or 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.site", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("article").add_argument("slug")
    copy = commands.add_parser("static-copy")
    copy.add_argument("path")
    copy.add_argument("name")
    commands.add_parser("contact-body")
    commands.add_parser("contact-requests")
    commands.add_parser("page-views").add_argument("path")
    args = parser.parse_args(argv)

    django.setup()
    if args.command == "article":
        value = article(args.slug)
    elif args.command == "static-copy":
        value = static_copy(args.path, args.name)
    elif args.command == "contact-body":
        value = contact_body()
    elif args.command == "page-views":
        value = page_views(args.path)
    else:
        value = contact_requests()
    print(json.dumps(value))


if __name__ == "__main__":
    main(sys.argv[1:])
