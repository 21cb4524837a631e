from django.core.management.base import BaseCommand

from clinic_site.core import translations


class Command(BaseCommand):
    help = (
        "Add new translatable strings to locale/es/LC_MESSAGES/django.po, drop unused "
        "ones, and compile django.mo (needs Babel: the development install)."
    )

    def handle(self, *args, **options):
        total, untranslated = translations.update()
        self.stdout.write(
            f"{total} strings in {translations.PO_PATH.relative_to(translations.LOCALE_DIR.parent)}"
            f"; {untranslated} without a Spanish translation yet."
        )
