from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clinic_site.articles.importer import Outcome, import_content


class Command(BaseCommand):
    help = "Create or update articles from the Markdown files in content/."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            default=str(settings.BASE_DIR / "content"),
            help="Folder of .md files (default: content/).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite articles that an editor has changed in the admin.",
        )

    def handle(self, *args, dir, force, **options):
        directory = Path(dir)
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder.")
        report = import_content(directory=directory, force=force)
        for result in report.results:
            name = str(result.path.relative_to(directory))
            if result.outcome == Outcome.FAILED:
                self.stderr.write(self.style.ERROR(f"error    {name}: {result.problem}"))
            elif result.outcome == Outcome.KEPT:
                self.stdout.write(
                    self.style.WARNING(
                        f"kept     {name}: changed in the admin since the last import; "
                        "not overwritten (use --force to replace it)"
                    )
                )
            elif options["verbosity"] > 1 or result.outcome != Outcome.UNCHANGED:
                self.stdout.write(f"{result.outcome.value:<8} {name}")
        self.stdout.write(
            ", ".join(
                f"{report.count(outcome)} {outcome.value}"
                for outcome in (
                    Outcome.CREATED,
                    Outcome.UPDATED,
                    Outcome.UNCHANGED,
                    Outcome.KEPT,
                    Outcome.FAILED,
                )
            )
        )
        if report.failed:
            raise CommandError(f"{len(report.failed)} file(s) could not be imported.")
