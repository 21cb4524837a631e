from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clinic_site.articles.importer import Outcome, UnknownFile, import_content


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
            nargs="*",
            metavar="FILE",
            help="Replace the articles of these files (e.g. faq.md es/preguntas.md) even "
            "if an editor changed them in the admin; their edits stay in the history. "
            "With --all instead of file names: every file.",
        )
        parser.add_argument(
            "--all",
            action="store_true",
            help="With --force: replace every article an editor changed in the admin.",
        )

    def handle(self, *args, dir, force, all, **options):
        directory = Path(dir)
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder.")
        if force is not None and not force and not all:
            raise CommandError(
                "Name the files to replace (--force faq.md es/preguntas.md), or add --all "
                "to replace every article changed in the admin."
            )
        if all and force is None:
            raise CommandError("--all goes with --force: import_content --force --all")
        try:
            report = import_content(directory=directory, force=True if all else (force or False))
        except UnknownFile as error:
            raise CommandError(str(error)) from None
        for result in report.results:
            name = str(result.path.relative_to(directory))
            if result.outcome == Outcome.FAILED:
                self.stderr.write(self.style.ERROR(f"error    {name}: {result.problem}"))
            elif result.outcome == Outcome.KEPT:
                self.stdout.write(
                    self.style.WARNING(
                        f"kept     {name}: changed in the admin since the last import; "
                        f"not overwritten (use --force {name} to replace it)"
                    )
                )
            elif result.outcome == Outcome.REPLACED:
                self.stdout.write(
                    self.style.WARNING(
                        f"replaced {name}: the changes made in the admin were replaced by "
                        f"the file; they are in the article's history ({result.replaced})"
                    )
                )
            elif options["verbosity"] > 1 or result.outcome != Outcome.UNCHANGED:
                self.stdout.write(f"{result.outcome.value:<8} {name}")
        shown = [Outcome.CREATED, Outcome.UPDATED, Outcome.UNCHANGED, Outcome.KEPT, Outcome.FAILED]
        if report.count(Outcome.REPLACED):
            shown.insert(2, Outcome.REPLACED)
        self.stdout.write(
            ", ".join(f"{report.count(outcome)} {outcome.value}" for outcome in shown)
        )
        if report.failed:
            raise CommandError(f"{len(report.failed)} file(s) could not be imported.")
