"""Articles: the patient information pages.

An article's Markdown is rendered to sanitised HTML once, when it is saved; pages only
ever print the stored ``body_html``.
"""

import calendar
import copy as copy_module
import hashlib
import json
import math
from datetime import date, datetime

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from clinic_site.core import pagecache
from clinic_site.core.languages import Language, current_language

from . import markup
from .sources import SourcesField

# Staff who may edit articles also preview drafts and use the editor's endpoints.
EDIT_PERMISSION = "articles.change_article"
WORDS_PER_MINUTE = 200
# Articles with at least this many sections get a table of contents.
TOC_MIN_HEADINGS = 3


class Topic(models.TextChoices):
    # Declared in the order the article list shows them; readers see the labels.
    TREATMENT = "treatment", _("About the treatment")
    SAFETY = "safety", _("Safety and risks")
    VISIT = "visit", _("Your visit")
    QUESTIONS = "questions", _("Common questions")


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class ReviewState(models.TextChoices):
    """Where the article's text stands in clinical review (see workflow.py)."""

    NONE = "", "Nothing waiting"
    SUBMITTED = "submitted", "Waiting for clinical review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    # A reviewed page changed without review (the urgent-correction permission): first
    # in the reviewers' queue until one of them signs the new text off.
    PUBLISHED_UNREVIEWED = "published_unreviewed", "Published without clinical review"


# Fields that come from a content/ file; the import compares and writes only these.
SOURCE_FIELDS = (
    "title",
    "slug",
    "summary",
    "key_facts",
    "topic",
    "order",
    "body",
    "sources",
    "crisis_note",
)
# Fields added after articles were first imported. Left out of the fingerprint while
# they hold their default, so rows imported before they existed still match their file
# (and a sign-off given before them still covers the same words).
LATER_FIELD_DEFAULTS = {"sources": [], "crisis_note": False, "key_facts": ""}
# A clinical sign-off a content/ file may also carry (see importer.py). Kept out of the
# fingerprint: a reviewer signing off in the admin does not make the text differ from
# its file.
REVIEW_FIELDS = ("reviewer", "reviewed_by", "last_reviewed", "next_review_due")
# What a draft of a live article holds: the words and their sources, not the publishing
# controls.
DRAFT_FIELDS = ("title", "summary", "key_facts", "topic", "order", "body", "sources", "crisis_note")
DRAFT_FIELDS = ("title", "summary", "topic", "order", "body", "sources", "crisis_note")
# What a clinical sign-off vouches for: the words readers see. Editing any of these
# afterwards needs a new review. The one list: the sign-off's fingerprint, the review
# token on the reviewer's screen and the reviewer's diff all read it. A field named here
# that the model does not have yet (key_facts, added on another branch) is skipped, so
# adding the field is all it takes; list its empty value in LATER_FIELD_DEFAULTS so
# existing sign-offs still match.
_SIGNED_CANDIDATES = ("title", "summary", "body", "key_facts", "sources")
# A page's "Key facts" box holds this many sentences (one per line).
KEY_FACTS_MIN, KEY_FACTS_MAX = 3, 5
# Articles due for review within this many days count as "due soon".
REVIEW_DUE_SOON_DAYS = 30


def key_fact_lines(text: str) -> list[str]:
    """The key facts as a list: one sentence per non-empty line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def validate_key_facts(text: str) -> None:
    from django.core.exceptions import ValidationError

    facts = key_fact_lines(text)
    if len(facts) > KEY_FACTS_MAX:
        raise ValidationError(
            f"Keep the key facts to {KEY_FACTS_MAX} sentences at most, one per line "
            f"(there are {len(facts)})."
        )


class ArticleQuerySet(models.QuerySet):
    # Bulk changes (admin actions, imports) bypass save(): refresh public pages too.
    def delete(self):
        for article in self.published().only("pk", "slug"):
            remember_public_slugs(article, [article.slug])
        result = super().delete()
        pagecache.content_changed()
        return result

    def update(self, **kwargs):
        result = super().update(**kwargs)
        pagecache.content_changed()
        return result

    def published(self):
        """Visible to the public now: published, and its publish time has come."""
        return self.filter(status=Status.PUBLISHED, published_at__lte=timezone.now())

    def readership_info(self) -> list:
        """Every published article with its address and readers' answers, for the
        readership figures (clinic_site/readership/figures.py)."""
        from clinic_site.readership.figures import ArticleInfo

        rows = self.published().annotate(
            helpful_yes=models.Count("feedback", filter=models.Q(feedback__helpful=True)),
            helpful_no=models.Count("feedback", filter=models.Q(feedback__helpful=False)),
        )
        return [
            ArticleInfo(
                path=article.get_absolute_url(),
                slug=article.slug,
                title=article.title,
                language=article.language,
                helpful_yes=article.helpful_yes,
                helpful_no=article.helpful_no,
            )
            for article in rows.order_by("title")
        ]

    def in_language(self, language: str | None = None):
        """Articles in this language (the page's language by default)."""
        return self.filter(language=language or current_language())

    def visible_to(self, user):
        """What this user may read: staff who edit articles also see drafts."""
        if user.is_authenticated and user.has_perm(EDIT_PERMISSION):
            return self.all()
        return self.published()

    def by_topic(self) -> list[tuple[str, list["Article"]]]:
        """[(topic label, articles)] in the topics' reading order, empty topics left out."""
        articles = list(self.only("title", "slug", "summary", "topic", "order", "language"))
        groups = [
            (label, [article for article in articles if article.topic == value])
            for value, label in Topic.choices
        ]
        return [(label, items) for label, items in groups if items]

    def scheduled(self):
        return self.filter(status=Status.PUBLISHED, published_at__gt=timezone.now())

    def next_publish_time(self):
        """When public content next changes by itself: the next scheduled article, or
        the next scheduled changes to a live one (None if nothing is scheduled)."""
        now = timezone.now()
        schedule = self.aggregate(
            article=models.Min(
                "published_at", filter=models.Q(status=Status.PUBLISHED, published_at__gt=now)
            ),
            changes=models.Min(
                "draft_publish_at", filter=models.Q(draft__isnull=False, draft_publish_at__gt=now)
            ),
        )
        return min((when for when in schedule.values() if when is not None), default=None)

    def review_overdue(self, today: date | None = None):
        return self.filter(next_review_due__lt=today or timezone.localdate())

    def review_due_soon(self, today: date | None = None):
        today = today or timezone.localdate()
        return self.filter(
            next_review_due__gte=today,
            next_review_due__lte=today + timezone.timedelta(days=REVIEW_DUE_SOON_DAYS),
        )

    def needing_review(self, today: date | None = None):
        """A clinical reviewer's queue: overdue, due soon, changed since sign-off, or
        published and never signed off."""
        today = today or timezone.localdate()
        return self.filter(
            models.Q(next_review_due__lte=today + timezone.timedelta(days=REVIEW_DUE_SOON_DAYS))
            | models.Q(changed_since_review=True)
            | models.Q(status=Status.PUBLISHED, reviewer__isnull=True)
        )

    def with_changes_due(self, now: datetime | None = None):
        """Live articles whose scheduled draft changes should be public by now."""
        return self.filter(draft__isnull=False, draft_publish_at__lte=now or timezone.now())


class VersionNumberMixin(models.Model):
    """Base of the historical model: each saved version knows its number (1, 2, ...)."""

    class Meta:
        abstract = True

    @property
    def version_number(self) -> int:
        if getattr(self, "numbered", None) is not None:  # annotated by the history list
            return self.numbered
        earlier = (
            type(self)
            .objects.filter(id=self.id)
            .filter(
                models.Q(history_date__lt=self.history_date)
                | models.Q(history_date=self.history_date, history_id__lte=self.history_id)
            )
        )
        return earlier.count()


class Article(models.Model):
    title = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=80,
        unique=True,
        help_text="The end of the page address, e.g. how-long-does-relief-last. "
        "Changing it on a published page breaks links people have saved.",
    )
    summary = models.CharField(
        max_length=160,
        help_text="One or two plain sentences. Shown under the title, in lists and in "
        "search engine results (keep it under 160 characters).",
    )
    key_facts = models.TextField(
        "key facts",
        blank=True,
        validators=[validate_key_facts],
        help_text=f"{KEY_FACTS_MIN} to {KEY_FACTS_MAX} short, plain sentences, one per line: "
        "what a reader most needs to know. Shown in a box at the top of the page, and "
        "part of what a clinical reviewer signs off.",
    )
    topic = models.CharField(max_length=20, choices=Topic.choices)
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Position within its topic; lower numbers come first."
    )
    body = MarkdownxField(
        help_text="Markdown. Start sections with '## '. The title is added for you."
    )
    body_html = models.TextField(editable=False, default="")
    # Plain text of the body, for search and the readability grade.
    body_text = models.TextField(editable=False, default="")
    headings = models.JSONField(editable=False, default=list)
    word_count = models.PositiveIntegerField(editable=False, default=0)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the page goes public. Leave empty to publish now; a future "
        "date and time schedules it.",
    )

    # Pending changes to a live article ({field: value} for DRAFT_FIELDS): readers keep
    # seeing the live columns until the draft is published, now or at draft_publish_at.
    draft = models.JSONField(null=True, blank=True, editable=False)
    draft_publish_at = models.DateTimeField(
        "changes scheduled for", null=True, blank=True, editable=False
    )

    # Clinical sign-off: set only by sign_off() (a clinical reviewer) or by import_content
    # for a reviewer who exists as a user; never typed by editors.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="reviewed_articles",
    )
    # The reviewer's name and credentials as they were at sign-off, as readers see them.
    reviewed_by = models.CharField("reviewed by", max_length=120, blank=True, editable=False)
    last_reviewed = models.DateField("last reviewed", null=True, blank=True, editable=False)
    next_review_due = models.DateField("next review due", null=True, blank=True, editable=False)
    # Fingerprint of SIGNED_FIELDS as signed off, so the sign-off belongs to that version.
    reviewed_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    changed_since_review = models.BooleanField(default=False, editable=False)
    # The review step (workflow.py moves it): what is waiting, who asked, and the
    # reviewer's last comment. History keeps every earlier state and comment.
    review_state = models.CharField(
        max_length=24,
        choices=ReviewState.choices,
        default=ReviewState.NONE,
        blank=True,
        editable=False,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_comment = models.TextField(blank=True, editable=False)

    language = models.CharField(
        max_length=2,
        choices=Language.choices,
        default=Language.ENGLISH,
        db_index=True,
        help_text="English pages live at /articles/..., Spanish pages at /es/articles/...",
    )
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        limit_choices_to={"language": Language.ENGLISH},
        verbose_name="translation of",
        help_text="For a Spanish page: the English article it translates.",
    )
    # When the words readers see (SIGNED_FIELDS) last changed, and their fingerprint
    # then: a translation older than its original's last change is "out of date".
    text_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    text_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # For a translation: the fingerprint of the original's words it was made from (set
    # whenever the translation's own words change). "Out of date" compares it with the
    # original's words today, so it clears when the original returns to those words.
    translated_from_print = models.CharField(max_length=64, blank=True, editable=False)

    sources = SourcesField(
        help_text="The documents this page relies on, one per line: "
        "Title | Publisher | Year | https://web address. Shown as a numbered list under "
        "the article. Name only documents you have opened and checked.",
    )
    crisis_note = models.BooleanField(
        default=False,
        help_text="Show the 'not an emergency treatment' crisis note at the top of the page. "
        "Use it on pages readers may open at a low moment (relief fading, no benefit, FAQ).",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Set by `import_content`: which file the article came from, and the fingerprint
    # of its source fields as imported. A different fingerprint now means an editor
    # has changed it in the admin since.
    source_file = models.CharField(max_length=200, blank=True, editable=False)
    imported_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # Set by `import_content` when the file changed too but was not imported, because
    # the article had changes made in the admin: the fingerprint of the file's version
    # that is waiting. Editors are told; cleared when the file is imported again.
    waiting_file_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    history = HistoricalRecords(
        excluded_fields=[
            "translated_from_print",
            "body_html",
            "body_text",
            "headings",
            "word_count",
            "text_changed_at",
            "text_fingerprint",
            "waiting_file_fingerprint",
        ],
        bases=[VersionNumberMixin],
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["topic", "order", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(slug=""),
                name="article_slug_not_empty",
            )
        ]
        permissions = [
            ("sign_off_article", "Can sign off an article as a clinical reviewer"),
            # For urgent corrections; not in the Editor role (accounts/roles.py).
            ("publish_without_review", "Publish without clinical review"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The admin's form strips the final newline and sends \r\n: store one form, so
        # saving unchanged text is not recorded as a change.
        self.body = normalise_body(self.body)
        # One sentence per line, however the admin's text area sent them.
        self.key_facts = "\n".join(key_fact_lines(self.key_facts))
        if self.draft and "key_facts" in self.draft:
            self.draft["key_facts"] = "\n".join(key_fact_lines(self.draft["key_facts"]))
        if self.draft and "body" in self.draft:
            self.draft["body"] = normalise_body(self.draft["body"])
        self.render_derived_fields()
        if self.status == Status.PUBLISHED and self.published_at is None:
            # Whole seconds: the admin's form has no microseconds, and a value it cannot
            # show would be recorded as a "published at" change on the next save.
            self.published_at = timezone.now().replace(microsecond=0)
        self.changed_since_review = bool(
            self.reviewed_fingerprint and self.reviewed_fingerprint != self.reviewed_print()
        )
        text_print = self.reviewed_print()
        if not self.text_fingerprint and self.text_changed_at:
            # A row from before translations (the migration dated its words at its last
            # update): take its fingerprint without calling that a change.
            self.text_fingerprint = text_print
        elif text_print != self.text_fingerprint or self.text_changed_at is None:
            self.text_fingerprint = text_print
            self.text_changed_at = timezone.now()
            self._translated_now = True
        if self.translation_of_id and getattr(self, "_translated_now", False):
            # The translator's words changed: they were made from the original as it is.
            self.translated_from_print = (
                Article.objects.filter(pk=self.translation_of_id)
                .values_list("text_fingerprint", flat=True)
                .first()
                or ""
            )
        self._translated_now = False
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "body_html",
                "body_text",
                "headings",
                "word_count",
                "published_at",
                "changed_since_review",
                "text_fingerprint",
                "text_changed_at",
                "translated_from_print",
            }
        previous = (
            Article.objects.filter(pk=self.pk).only("slug", "status", "published_at").first()
            if self.pk
            else None
        )
        with transaction.atomic():
            super().save(*args, **kwargs)
            # Remember every address this article was public at, so an old link
            # redirects after a slug change and answers 410 once it is gone.
            public_slugs = [page.slug for page in (previous, self) if page and page.is_public]
            remember_public_slugs(self, public_slugs)
        pagecache.content_changed()

    def get_absolute_url(self):
        # Under its own language's prefix, whatever the language of the page linking to it.
        with translation.override(self.language):
            return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.translation_of_id and self.language == Language.ENGLISH:
            raise ValidationError({"translation_of": "Only a Spanish page is a translation."})
        if self.translation_of_id and self.translation_of.language != Language.ENGLISH:
            raise ValidationError({"translation_of": "Choose the English original."})

    # --- Translations -------------------------------------------------------------------

    @property
    def is_translation_out_of_date(self) -> bool:
        """The English original's words are not the words this translation was made from
        (by fingerprint: restoring the original's old words makes it current again)."""
        original = self.translation_of
        if original is None or not original.text_fingerprint:
            return False
        return original.text_fingerprint != self.translated_from_print

    def public_counterparts(self) -> dict[str, "Article"]:
        """{language: article} for this page and its public versions in other languages."""
        if self.translation_of_id:
            original = self.translation_of_id
            family = Article.objects.published().filter(
                models.Q(pk=original) | models.Q(translation_of=original)
            )
        else:
            family = Article.objects.published().filter(translation_of=self.pk)
        pages = {article.language: article for article in family.only("slug", "language")}
        pages[self.language] = self
        return pages

    def delete(self, *args, **kwargs):
        if self.is_public:
            remember_public_slugs(self, [self.slug])
        result = super().delete(*args, **kwargs)
        pagecache.content_changed()
        return result

    def render_derived_fields(self) -> None:
        """Markdown to sanitised HTML, plain text and headings: once, at save time."""
        rendered = markup.render(self.body)
        self.body_html = rendered.html
        self.body_text = rendered.text
        self.headings = rendered.headings
        self.word_count = len(rendered.text.split())

    def related(self, limit: int = 3) -> list["Article"]:
        """Published articles on the same topic; others when it is the only one."""
        published = (
            Article.objects.published()
            .in_language(self.language)
            .exclude(pk=self.pk)
            .only("title", "slug", "summary", "language")
        )
        same_topic = list(published.filter(topic=self.topic)[:limit])
        return same_topic or list(published[:limit])

    @property
    def is_public(self) -> bool:
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def reading_minutes(self) -> int:
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))

    @property
    def key_fact_list(self) -> list[str]:
        return key_fact_lines(self.key_facts)

    @property
    def shows_when_to_get_help(self) -> bool:
        """Pages about the treatment itself (not the FAQ) end their top part with the
        warning signs box, so a reader who feels unwell after an infusion finds it."""
        return self.topic in (Topic.TREATMENT, Topic.SAFETY, Topic.VISIT)

    @property
    def shows_clinic_fees(self) -> bool:
        """The cost article (settings.CLINIC_FEES_PAGE) and its translations carry the
        clinic's own prices, when the clinic has set them."""
        original = self.translation_of if self.translation_of_id else self
        return original.slug == settings.CLINIC_FEES_PAGE

    def sources_shown(self) -> list[dict]:
        """The sources as readers see them. On a translation, a source its English
        original also cites is an English document, so the page says so ("(en inglés)")."""
        in_english = set()
        if self.language != Language.ENGLISH and self.translation_of_id:
            in_english = {source.get("url") for source in self.translation_of.sources or []}
        return [
            {**source, "in_english": source.get("url") in in_english}
            for source in self.sources or []
        ]

    @property
    def show_toc(self) -> bool:
        return len(self.headings) >= TOC_MIN_HEADINGS

    @property
    def is_reviewed(self) -> bool:
        """Signed off by a clinical reviewer, and unchanged since: only then may the page
        say "Reviewed by"."""
        return bool(
            self.reviewer_id
            and self.reviewed_by
            and self.last_reviewed
            and self.reviewed_fingerprint == self.reviewed_print()
        )

    @property
    def is_review_overdue(self) -> bool:
        return bool(self.next_review_due and self.next_review_due < timezone.localdate())

    @property
    def review_status(self) -> str:
        """The review state in words, for staff screens."""
        today = timezone.localdate()
        if self.next_review_due and self.next_review_due < today:
            return "Overdue"
        if self.changed_since_review:
            return "Changed since review"
        if not self.reviewer_id:
            return "Not reviewed"
        if self.next_review_due and (self.next_review_due - today).days <= REVIEW_DUE_SOON_DAYS:
            return "Due soon"
        return "Reviewed"

    def reviewed_print(self) -> str:
        """Fingerprint of the live signed words (SIGNED_FIELDS)."""
        return signed_print(self)

    def signed_values(self, *, pending: bool = False) -> dict:
        """The signed fields' values: live, or with the draft applied (``pending``)."""
        return signed_values(self, pending=pending)

    def pending_print(self) -> str:
        """Fingerprint of the words that would go live next (the draft, if any)."""
        return fingerprint(self.signed_values(pending=True))

    def review_token(self) -> str:
        """Identity of the text on a reviewer's screen: the live and the pending words.
        A sign-off or approval names it, and is refused if either changed since."""
        return review_token(self)

    @property
    def is_waiting_for_review(self) -> bool:
        return self.review_state == ReviewState.SUBMITTED

    def edit_token(self) -> str:
        """Identity of what an editor opened (every field an editor saves, live and
        draft): a save naming an older one is refused (optimistic locking)."""
        return edit_token(self)

    # --- Drafts of live articles --------------------------------------------------------

    @property
    def has_draft(self) -> bool:
        return self.draft is not None

    def with_draft(self) -> "Article":
        """An unsaved copy showing the draft as it would look once published."""
        copy = copy_module.copy(self)
        for name, value in (self.draft or {}).items():
            setattr(copy, name, value)
        copy.render_derived_fields()
        return copy

    def apply_draft(self) -> None:
        """Copy the draft into the live fields in memory (the caller saves)."""
        for name, value in (self.draft or {}).items():
            setattr(self, name, value)
        self.draft = None
        self.draft_publish_at = None

    def source_values(self) -> dict:
        return {name: getattr(self, name) for name in SOURCE_FIELDS}

    def fingerprint(self) -> str:
        return fingerprint(self.source_values())

    @property
    def edited_since_import(self) -> bool:
        return bool(self.imported_fingerprint) and self.fingerprint() != self.imported_fingerprint

    @property
    def content_file_has_newer_changes(self) -> bool:
        """Its content/ file changed since it was last imported, and so did the article
        in the admin: neither replaced the other."""
        return bool(self.waiting_file_fingerprint) and (
            self.waiting_file_fingerprint != self.imported_fingerprint
        )


SIGNED_FIELDS = tuple(
    name
    for name in _SIGNED_CANDIDATES
    if any(field.name == name for field in Article._meta.local_fields)
)


def signed_values(record, *, pending: bool = False) -> dict:
    """SIGNED_FIELDS of an article or one of its history records; with ``pending``, as
    they will be once its draft is published."""
    values = {name: getattr(record, name) for name in SIGNED_FIELDS}
    if pending and record.draft:
        values.update({k: v for k, v in record.draft.items() if k in SIGNED_FIELDS})
    return values


def signed_print(record) -> str:
    return fingerprint(signed_values(record))


def review_token(record) -> str:
    return fingerprint(
        {"live": signed_print(record), "pending": fingerprint(signed_values(record, pending=True))}
    )


def edit_token(record) -> str:
    values = {name: getattr(record, name) for name in SOURCE_FIELDS}
    values.update(status=record.status, published_at=record.published_at, draft=record.draft)
    return fingerprint(values)


def normalise_body(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    return text + "\n" if text else ""


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the 31st becomes the month's last day (Feb 28/29)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review_date(reviewed_on: date) -> date:
    return add_months(reviewed_on, settings.CLINICAL_REVIEW_INTERVAL_MONTHS)


def remember_public_slugs(article: Article, slugs: list[str]) -> None:
    for slug in set(slugs):
        PublishedSlug.objects.update_or_create(slug=slug, defaults={"article": article})


def fingerprint(values: dict) -> str:
    """A stable hash of an article's source fields, for change detection."""
    normalised = {
        key: (value.isoformat() if isinstance(value, date) else value)
        for key, value in values.items()
        if not (key in LATER_FIELD_DEFAULTS and value == LATER_FIELD_DEFAULTS[key])
    }
    if isinstance(normalised.get("body"), str):
        normalised["body"] = normalised["body"].replace("\r\n", "\n").strip()
    payload = json.dumps(normalised, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


# An editor who opened an article and neither saved nor came back within this long is
# assumed to have left (no "Being edited by" notice for them any more).
EDITING_NOTICE_MINUTES = 30


class EditingSessionQuerySet(models.QuerySet):
    def open(self, now: datetime | None = None):
        since = (now or timezone.now()) - timezone.timedelta(minutes=EDITING_NOTICE_MINUTES)
        return self.filter(last_seen__gte=since)


class EditingSession(models.Model):
    """Someone has the article's editor open: the "Being edited by … since …" notice.

    Opened when an editor opens the article, closed when they save it. It only informs;
    what stops two editors overwriting each other is the edit token (optimistic locking).
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="editing")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField()

    objects = EditingSessionQuerySet.as_manager()

    class Meta:
        ordering = ["started_at"]
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="one_editing_session_each")
        ]

    def __str__(self):
        return f"{self.user} editing {self.article}"

    @property
    def editor_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @classmethod
    def opened(cls, *, article: Article, user) -> "EditingSession":
        """The user opened the editor: a fresh session, or the one still open."""
        now = timezone.now()
        session = cls.objects.open(now).filter(article=article, user=user).first()
        if session is None:
            cls.objects.filter(article=article, user=user).delete()
            return cls.objects.create(article=article, user=user, started_at=now, last_seen=now)
        session.last_seen = now
        session.save(update_fields=["last_seen"])
        return session

    @classmethod
    def closed(cls, *, article: Article, user) -> None:
        cls.objects.filter(article=article, user=user).delete()


class PublishedSlug(models.Model):
    """An address an article was published at.

    The article's current slug answers normally; an older one redirects (301) to it.
    When the article is deleted the row stays with no article, and the address
    answers 410 Gone, as it does while the article is unpublished.
    """

    slug = models.SlugField(max_length=80, unique=True)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="published_slugs"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.slug


class Feedback(models.Model):
    """'Was this page helpful?': anonymous; nothing identifies the reader."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField()
    comment = models.TextField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "feedback"

    def __str__(self):
        return f"{'Helpful' if self.helpful else 'Not helpful'}: {self.article}"
