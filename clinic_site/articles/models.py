"""Articles: the patient information pages.

An article's Markdown is rendered to sanitised HTML once, when it is saved; pages only
ever print the stored ``body_html``.
"""

import hashlib
import json
import math
from datetime import date

from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from clinic_site.core import pagecache

from . import markup
from .sources import SourcesField

WORDS_PER_MINUTE = 200
# Articles with at least this many sections get a table of contents.
TOC_MIN_HEADINGS = 3


class Topic(models.TextChoices):
    # Declared in the order the article list shows them.
    TREATMENT = "treatment", "About the treatment"
    SAFETY = "safety", "Safety and risks"
    VISIT = "visit", "Your visit"
    QUESTIONS = "questions", "Common questions"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


# Fields that come from a content/ file; the import compares and writes only these.
SOURCE_FIELDS = (
    "title",
    "slug",
    "summary",
    "topic",
    "order",
    "body",
    "reviewed_by",
    "last_reviewed",
    "next_review_due",
    "sources",
    "crisis_note",
)
# Fields added after articles were first imported. Left out of the fingerprint while
# they hold their default, so rows imported before they existed still match their file.
LATER_FIELD_DEFAULTS = {"sources": [], "crisis_note": False}


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

    def visible_to(self, user):
        """What this user may read: staff who edit articles also see drafts."""
        if user.is_authenticated and user.has_perm("articles.change_article"):
            return self.all()
        return self.published()

    def by_topic(self) -> list[tuple[str, list["Article"]]]:
        """[(topic label, articles)] in the topics' reading order, empty topics left out."""
        articles = list(self.only("title", "slug", "summary", "topic", "order"))
        groups = [
            (label, [article for article in articles if article.topic == value])
            for value, label in Topic.choices
        ]
        return [(label, items) for label, items in groups if items]

    def scheduled(self):
        return self.filter(status=Status.PUBLISHED, published_at__gt=timezone.now())

    def next_publish_time(self):
        """When the next scheduled article goes public (None if nothing is scheduled)."""
        upcoming = self.scheduled().order_by("published_at")
        return upcoming.values_list("published_at", flat=True).first()

    def review_overdue(self, today: date | None = None):
        return self.filter(next_review_due__lt=today or timezone.localdate())


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

    reviewed_by = models.CharField(
        max_length=120,
        blank=True,
        help_text="Name and role of the clinician who last reviewed this page. "
        "Leave empty until a clinician has reviewed it.",
    )
    last_reviewed = models.DateField(null=True, blank=True)
    next_review_due = models.DateField(
        null=True, blank=True, help_text="When a clinician should check this page again."
    )

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

    history = HistoricalRecords(
        excluded_fields=["body_html", "body_text", "headings", "word_count"]
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

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.render_derived_fields()
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "body_html",
                "body_text",
                "headings",
                "word_count",
                "published_at",
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
        return reverse("articles:detail", kwargs={"slug": self.slug})

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
        published = Article.objects.published().exclude(pk=self.pk).only("title", "slug", "summary")
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
    def show_toc(self) -> bool:
        return len(self.headings) >= TOC_MIN_HEADINGS

    @property
    def is_reviewed(self) -> bool:
        """Only a named clinician and a date make a page 'reviewed'."""
        return bool(self.reviewed_by and self.last_reviewed)

    @property
    def is_review_overdue(self) -> bool:
        return bool(self.next_review_due and self.next_review_due < timezone.localdate())

    def source_values(self) -> dict:
        return {name: getattr(self, name) for name in SOURCE_FIELDS}

    def fingerprint(self) -> str:
        return fingerprint(self.source_values())

    @property
    def edited_since_import(self) -> bool:
        return bool(self.imported_fingerprint) and self.fingerprint() != self.imported_fingerprint


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
