"""Sync ``content/*.md`` (English) and ``content/es/*.md`` (Spanish) into the database.

Each file is one article: YAML front matter, then Markdown. A Spanish file is the
translation of an English article and names it by its slug (``translation_of``); the
English files are imported first, so a translation may arrive with its original. Files
are handled one at a time, each in its own transaction, so a broken file is reported and
skipped without touching its row or stopping the others. An article an editor changed in
the admin since it was last imported is kept (and reported) unless ``force`` names its
file (or is True, for every file); a replaced admin edit stays in the article's history,
and the report names the version that holds it.
"""

import datetime
from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import frontmatter
import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from clinic_site.core.languages import Language
from clinic_site.core.staff_display import staff_datetime

from . import review, sources
from .fingerprints import fingerprint
from .models import KEY_FACTS_MAX, KEY_FACTS_MIN, Article, Status
from .provenance import REVIEW_FIELDS, SOURCE_FIELDS
from .signoff import next_review_date

REQUIRED_KEYS = {"title", "summary", "topic"}
OPTIONAL_KEYS = {
    "slug",
    "order",
    "reviewed_by",
    "last_reviewed",
    "next_review_due",
    "status",
    "sources",
    "crisis_note",
    "key_facts",
}
# Only in content/es/: the slug of the English article the file translates.
TRANSLATION_KEY = "translation_of"
# Where each language's files live, relative to the content folder.
LANGUAGE_FOLDERS = {Language.ENGLISH: ".", Language.SPANISH: "es"}


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    KEPT = "kept"  # edited in the admin; not overwritten
    REPLACED = "replaced"  # edited in the admin; overwritten on request (--force FILE)
    FAILED = "failed"


@dataclass
class FileResult:
    path: Path
    outcome: Outcome
    slug: str = ""
    problem: str = ""
    # For REPLACED: the history version holding the admin's edit, and who saved it when.
    replaced: str = ""


@dataclass
class ImportReport:
    results: list[FileResult] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for result in self.results if result.outcome == outcome)

    @property
    def failed(self) -> list[FileResult]:
        return [result for result in self.results if result.outcome == Outcome.FAILED]


class SourceError(Exception):
    """A content file that cannot become an article; the message says why."""


class UnknownFile(ValueError):
    """``force`` names a file that is not in the content folder."""


def import_content(*, directory: Path, force: bool | Collection[str] = False) -> ImportReport:
    """``force``: True replaces every article edited in the admin with its file; a
    collection of file names ("faq.md", "es/preguntas.md") replaces only those."""
    report = ImportReport()
    forced = _forced_files(directory, force)
    seen_slugs: dict[str, Path] = {}
    for language, folder in LANGUAGE_FOLDERS.items():
        for path in sorted((Path(directory) / folder).glob("*.md")):
            try:
                values, status = read_source(path, language=language)
                if values["slug"] in seen_slugs:
                    used_by = _shown(seen_slugs[values["slug"]], directory)
                    raise SourceError(f"slug {values['slug']!r} is already used by {used_by}")
                seen_slugs[values["slug"]] = path
                shown = _shown(path, directory)
                outcome, replaced = _sync(
                    path, values, status, force=force is True or shown in forced, shown=shown
                )
                report.results.append(
                    FileResult(path, outcome, slug=values["slug"], replaced=replaced)
                )
            except SourceError as error:
                report.results.append(FileResult(path, Outcome.FAILED, problem=str(error)))
    return report


def _forced_files(directory: Path, force) -> set[str]:
    """The names ``force`` gives, as _shown() writes them; unknown names are an error,
    so a typo never silently replaces nothing (or something else)."""
    if isinstance(force, bool):
        return set()
    directory = Path(directory)
    names = set()
    for name in force:
        candidates = [Path(name), directory / name, directory / Path(name).name]
        found = next((path for path in candidates if path.is_file()), None)
        if found is None or found.suffix != ".md":
            raise UnknownFile(f"{name}: no such content file in {directory}")
        try:
            names.add(_shown(found.resolve(), directory.resolve()))
        except ValueError:
            raise UnknownFile(f"{name}: not in the content folder {directory}") from None
    return names


def _shown(path: Path, directory: Path) -> str:
    """The file's name as editors know it: "faq.md", "es/preguntas.md"."""
    return str(Path(path).relative_to(directory))


def read_source(path: Path, *, language: str = Language.ENGLISH) -> tuple[dict, str]:
    """Parse and validate one file; return the article's source fields and status."""
    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise SourceError("the file is not UTF-8 text") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise SourceError(f"the front matter is not valid YAML{where}") from None

    meta = post.metadata
    missing = sorted(REQUIRED_KEYS - meta.keys())
    if missing:
        raise SourceError(f"missing front matter: {', '.join(missing)}")
    allowed = OPTIONAL_KEYS | ({TRANSLATION_KEY} if language != Language.ENGLISH else set())
    unknown = sorted(meta.keys() - REQUIRED_KEYS - allowed)
    if TRANSLATION_KEY in unknown:
        raise SourceError(
            f"{TRANSLATION_KEY} is only for translations, in content/es/; an English "
            "file is an original"
        )
    if unknown:
        raise SourceError(f"unknown front matter: {', '.join(unknown)}")
    if not post.content.strip():
        raise SourceError("the article has no text below the front matter")

    values = {
        "title": _text(meta, "title"),
        "slug": _text(meta, "slug") if "slug" in meta else path.stem,
        "summary": _text(meta, "summary"),
        "key_facts": _key_facts(meta),
        "topic": _text(meta, "topic"),
        "order": meta.get("order", 0),
        "body": post.content.strip() + "\n",
        "sources": _sources(meta),
        "crisis_note": meta.get("crisis_note", False),
        **_review(meta),
        "language": language,
        "translation_of": _original(meta) if language != Language.ENGLISH else None,
    }
    if not isinstance(values["crisis_note"], bool):
        raise SourceError("crisis_note must be true or false")
    if not isinstance(values["order"], int) or isinstance(values["order"], bool):
        raise SourceError("order must be a whole number")
    status = meta.get("status", Status.PUBLISHED)
    if status not in Status.values:
        raise SourceError(f"status must be one of {', '.join(Status.values)}")

    # The model's own validation (lengths, slug format, topic choices) is the rule.
    try:
        Article(**values, status=status).full_clean(validate_unique=False, exclude=["reviewer"])
    except ValidationError as error:
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
        raise SourceError(problems) from None
    return values, status


def _review(meta: dict) -> dict:
    """A clinical sign-off carried by the file: only for a reviewer who exists as a user.

    ``reviewed_by`` is that user's username; the page shows the name and credentials
    from their staff profile. The sign-off covers the text as imported.
    """
    username = meta.get("reviewed_by")
    last_reviewed = _date(meta, "last_reviewed")
    next_review_due = _date(meta, "next_review_due")
    if not username:
        if last_reviewed or next_review_due:
            raise SourceError("last_reviewed and next_review_due need reviewed_by")
        return {"reviewed_by": "", "last_reviewed": None, "next_review_due": None, "reviewer": None}
    if not isinstance(username, str):
        raise SourceError("reviewed_by must be the username of a clinical reviewer")
    reviewer = get_user_model().objects.filter(username=username.strip()).first()
    if reviewer is None or not review.can_sign_off(reviewer):
        problem = "is not a user" if reviewer is None else "cannot sign off articles"
        raise SourceError(
            f"reviewed_by: {username.strip()!r} {problem}; only a clinical reviewer with "
            "a staff profile (name and credentials) can be named as the reviewer"
        )
    if last_reviewed is None:
        raise SourceError("reviewed_by needs last_reviewed, the date of the review")
    return {
        "reviewed_by": review.reviewer_name(reviewer),
        "last_reviewed": last_reviewed,
        "next_review_due": next_review_due or next_review_date(last_reviewed),
        "reviewer": reviewer,
    }


def _original(meta: dict) -> Article:
    """The English article a translation names by its slug."""
    if TRANSLATION_KEY not in meta:
        raise SourceError(
            f"missing front matter: {TRANSLATION_KEY} (the slug of the English article "
            "this file translates)"
        )
    slug = _text(meta, TRANSLATION_KEY)
    original = Article.objects.filter(slug=slug, language=Language.ENGLISH).first()
    if original is None:
        raise SourceError(
            f"{TRANSLATION_KEY}: no English article has the slug {slug!r}; name the slug "
            "of an article in content/ (the English file's slug, or its file name)"
        )
    return original


def _text(meta: dict, key: str) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SourceError(f"{key} must be non-empty text")
    return value.strip()


def _key_facts(meta: dict) -> str:
    """The "Key facts" box: a list of 3 to 5 plain sentences, stored one per line."""
    if "key_facts" not in meta:
        return ""
    facts = meta["key_facts"]
    if not isinstance(facts, list) or not all(
        isinstance(fact, str) and fact.strip() for fact in facts
    ):
        raise SourceError("key_facts must be a list of sentences, one item each")
    if not KEY_FACTS_MIN <= len(facts) <= KEY_FACTS_MAX:
        raise SourceError(
            f"key_facts needs {KEY_FACTS_MIN} to {KEY_FACTS_MAX} sentences, not {len(facts)}"
        )
    return "\n".join(" ".join(fact.split()) for fact in facts)


def _sources(meta: dict) -> list[dict]:
    listed = meta.get("sources") or []
    problems = sources.problems(listed)
    if problems:
        raise SourceError("; ".join(problems))
    return sources.normalise(listed)


def _date(meta: dict, key: str) -> datetime.date | None:
    value = meta.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise SourceError(f"{key} must be a date like 2026-01-31")


# Written from the file whatever else happens: which language, and whose translation.
LANGUAGE_FIELDS = ("language", "translation_of")


@transaction.atomic
def _sync(path: Path, values: dict, status: str, *, force: bool, shown: str = "") -> Outcome:
    shown = shown or path.name
    source_print = fingerprint({name: values[name] for name in SOURCE_FIELDS})
    article = Article.objects.select_for_update().filter(slug=values["slug"]).first()
    if article is not None and article.language != values["language"]:
        raise SourceError(
            f"slug {values['slug']!r} is already used by an article in "
            f"{article.get_language_display()}; give this file its own slug"
        )
    if article is None:
        article = Article(**values, status=status)
        article.source_file = shown
        article.imported_fingerprint = source_print
        _take_review(article, values)
        article.save()
        return Outcome.CREATED, ""

    if article.fingerprint() == source_print:
        language_changed = any(getattr(article, name) != values[name] for name in LANGUAGE_FIELDS)
        if (
            article.imported_fingerprint != source_print
            or article.source_file != shown
            or language_changed
        ):
            article.imported_fingerprint = source_print
            article.source_file = shown
            for name in LANGUAGE_FIELDS:
                setattr(article, name, values[name])
            article.save(update_fields=["imported_fingerprint", "source_file", *LANGUAGE_FIELDS])
        if _take_review(article, values):
            article._change_reason = f"Sign-off imported from content/{shown}"
            article.save()
            return Outcome.UPDATED, ""
        return Outcome.UNCHANGED, ""

    edited_in_admin = article.imported_fingerprint != article.fingerprint()
    if edited_in_admin and not force:
        if source_print != article.imported_fingerprint:
            # The file has changes of its own too: editors are told on the article
            # (an update, so no history entry and no page change).
            Article.objects.filter(pk=article.pk).update(waiting_file_fingerprint=source_print)
        return Outcome.KEPT, ""
    replaced = ""
    if edited_in_admin:
        # The admin's version stays in the history; say which one, so it can be restored.
        kept = article.history.order_by("-history_date", "-history_id").first()
        when = staff_datetime(kept.history_date) if kept else "-"
        who = f" by {kept.history_user}" if kept and kept.history_user else ""
        replaced = f"version {kept.version_number if kept else '?'}, saved {when}{who}"

    for name in (*SOURCE_FIELDS, *LANGUAGE_FIELDS):
        setattr(article, name, values[name])
    article.source_file = shown
    article.imported_fingerprint = source_print
    article.waiting_file_fingerprint = ""
    _take_review(article, values)
    article._change_reason = (
        f"Imported from content/{shown}, replacing the changes made in the admin ({replaced})"
        if replaced
        else f"Imported from content/{shown}"
    )
    article.save()
    return (Outcome.REPLACED if replaced else Outcome.UPDATED), replaced


def _take_review(article: Article, values: dict) -> bool:
    """Apply the file's sign-off, if it carries one that the article does not have yet.

    A file without one leaves the article's sign-off alone: one given in the admin
    stays, and if the imported text differs from what was signed off, the article
    shows "changed since review".
    """
    if values["reviewer"] is None:
        return False
    if article.last_reviewed and values["last_reviewed"] < article.last_reviewed:
        return False  # a later sign-off given in the admin stands
    if all(getattr(article, name) == values[name] for name in REVIEW_FIELDS) and (
        article.reviewed_fingerprint == article.reviewed_print()
    ):
        return False
    for name in REVIEW_FIELDS:
        setattr(article, name, values[name])
    article.reviewed_fingerprint = article.reviewed_print()
    return True
