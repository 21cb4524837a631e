"""`manage.py write_outage_page`: the pages the proxy shows when the site cannot answer.

nginx serves them on 502, 503 and 504 from the proxy itself (deploy/nginx/clinic.conf),
so a restart or an outage shows the clinic's phone number, opening hours and urgent help
instead of a bare "Bad Gateway": `outage.html` in English, and `outage.es.html` in
Spanish for addresses under /es/. Both are rendered from templates/errors/outage.html
with this deployment's settings (CLINIC_PHONE, URGENT_HELP_TEXT, ...) into STATIC_ROOT,
where `make serve` and the systemd unit write them after collectstatic.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string
from django.utils import translation

from clinic_site.core.context_processors import clinic

# Language code -> file name; nginx's map in deploy/nginx/clinic.conf uses the same names.
PAGES = {"en": "outage.html", "es": "outage.es.html"}


def render_outage_page(language: str) -> str:
    with translation.override(language):
        return render_to_string("errors/outage.html", clinic(None))


class Command(BaseCommand):
    help = (
        "Write the proxy's static outage pages (502/503/504) to STATIC_ROOT: "
        "outage.html (English) and outage.es.html (Spanish)"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="Where to write the English page (default: STATIC_ROOT/outage.html); "
            "the Spanish one goes beside it as outage.es.html",
        )

    def handle(self, *, output=None, **options):
        english = Path(output or Path(settings.STATIC_ROOT) / PAGES["en"])
        english.parent.mkdir(parents=True, exist_ok=True)
        for language, name in PAGES.items():
            path = english if language == "en" else english.parent / name
            path.write_text(render_outage_page(language), encoding="utf-8")
            # Read by nginx, which runs as another user; it holds nothing private.
            path.chmod(0o644)
            if options["verbosity"]:
                self.stdout.write(f"Wrote {path}")
