from django.core.management.base import BaseCommand

from clinic_site.core import catalogue


class Command(BaseCommand):
    help = (
        "Add new translatable strings to locale/es/LC_MESSAGES/django.po, drop unused "
        "ones, and compile django.mo (needs Babel: the development install)."
    )

    def handle(self, *args, **options):
        total, untranslated = catalogue.update()
        self.stdout.write(
            f"{total} strings in {catalogue.PO_PATH.relative_to(catalogue.LOCALE_DIR.parent)}"
            f"; {untranslated} without a Spanish translation yet."
        )
