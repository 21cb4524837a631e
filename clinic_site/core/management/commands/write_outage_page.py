"""`manage.py write_outage_page`: the page the proxy shows when the site cannot answer.

nginx serves it on 502, 503 and 504 from the proxy itself (docs/deployment.md), so a
restart or an outage shows the clinic's phone number, opening hours and urgent help
instead of a bare "Bad Gateway". It is rendered from templates/errors/outage.html with
this deployment's settings (CLINIC_PHONE, URGENT_HELP_TEXT, ...) into STATIC_ROOT, where
`make serve` writes it after collectstatic.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string

from clinic_site.core.context_processors import clinic


class Command(BaseCommand):
    help = "Write the proxy's static outage page (502/503/504) to STATIC_ROOT/outage.html"

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Where to write it (default: STATIC_ROOT/outage.html)")

    def handle(self, *, output=None, **options):
        path = Path(output or Path(settings.STATIC_ROOT) / "outage.html")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_to_string("errors/outage.html", clinic(None)), encoding="utf-8")
        path.chmod(0o644)
        if options["verbosity"]:
            self.stdout.write(f"Wrote {path}")
