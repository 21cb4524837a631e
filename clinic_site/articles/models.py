"""Articles: the patient information pages.

An article's Markdown is rendered to sanitised HTML once, when it is saved; pages only
ever print the stored ``body_html``.

``Article`` is composed of one abstract model per concern, each in its own module with
its helpers: drafts of live pages (drafts.py), clinical sign-off (signoff.py),
translation (translation.py) and import provenance (provenance.py). The enumerations
are in choices.py and the one hash every concern compares in fingerprints.py. Scheduled
publishing (scheduling.py), the transitions (workflow.py), the history for people
(history.py) and the reviewers' digest (review.py) build on this module, never the
reverse.
"""

import math

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from clinic_site.core import pagecache
from clinic_site.core.languages import Language, current_language

from . import markup, signoff
from . import translation as translations
from .choices import Status, Topic
from .drafts import DRAFT_FIELDS, DraftMixin, EditingSession, edit_token
from .fingerprints import fingerprint
from .provenance import REVIEW_FIELDS, SOURCE_FIELDS, ProvenanceMixin
from .signoff import (
    REVIEW_DUE_SOON_DAYS,
    SIGNED_FIELDS,
    ReviewState,
    SignOffMixin,
    SignOffQuerySet,
    add_months,
    next_review_date,
    review_token,
    signed_print,
    signed_values,
)
from .sources import SourcesField
from .translation import TranslationMixin

# Each name above that is not used here lives in its concern's module and is also
# importable from here, where code outside articles has always found it.
__all__ = [
    "DRAFT_FIELDS",
    "EDIT_PERMISSION",
    "REVIEW_DUE_SOON_DAYS",
    "REVIEW_FIELDS",
    "SIGNED_FIELDS",
    "SOURCE_FIELDS",
    "Article",
    "EditingSession",
    "Feedback",
    "PublishedSlug",
    "ReviewState",
    "Status",
    "Topic",
    "add_months",
    "edit_token",
    "fingerprint",
    "next_review_date",
    "review_token",
    "signed_print",
    "signed_values",
]

# Staff who may edit articles also preview drafts and use the editor's endpoints.
EDIT_PERMISSION = "articles.change_article"
WORDS_PER_MINUTE = 200
# Articles with at least this many sections get a table of contents.
TOC_MIN_HEADINGS = 3
# A page's "Key facts" box holds this many sentences (one per line).
KEY_FACTS_MIN, KEY_FACTS_MAX = 3, 5


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


class ArticleQuerySet(SignOffQuerySet):
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


class Article(DraftMixin, SignOffMixin, TranslationMixin, ProvenanceMixin, models.Model):
    """A page of patient information. The words and their publishing are here; drafts,
    sign-off, translation and import provenance come from their mixins."""

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

    language = models.CharField(
        max_length=2,
        choices=Language.choices,
        default=Language.ENGLISH,
        db_index=True,
        help_text="English pages live at /articles/..., Spanish pages at /es/articles/...",
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
        # saving unchanged text is not recorded as a change. A draft's words likewise.
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
        self.note_review_changes()
        self.note_text_changes()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "body_html",
                "body_text",
                "headings",
                "word_count",
                "published_at",
                *signoff.DERIVED_FIELDS,
                *translations.DERIVED_FIELDS,
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

    @property
    def show_toc(self) -> bool:
        return len(self.headings) >= TOC_MIN_HEADINGS


def normalise_body(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    return text + "\n" if text else ""


def remember_public_slugs(article: Article, slugs: list[str]) -> None:
    for slug in set(slugs):
        PublishedSlug.objects.update_or_create(slug=slug, defaults={"article": article})


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
