"""Drafts of live articles, and not losing an editor's work.

A live article's pending changes wait in ``draft`` while readers keep the live words;
they are published now, on approval, or at ``draft_publish_at`` (scheduling.py).
``edit_token`` names what an editor opened, so a save on top of someone else's is
refused (optimistic locking); ``EditingSession`` only tells others who is editing.
"""

import copy as copy_module
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from .fingerprints import fingerprint
from .provenance import SOURCE_FIELDS

# What a draft of a live article holds: the words and their sources, not the publishing
# controls.
DRAFT_FIELDS = ("title", "summary", "key_facts", "topic", "order", "body", "sources", "crisis_note")
# An editor who opened an article and neither saved nor came back within this long is
# assumed to have left (no "Being edited by" notice for them any more).
EDITING_NOTICE_MINUTES = 30


def edit_token(record) -> str:
    """Identity of what an editor opened (every field an editor saves, live and draft),
    of an article or one of its history records."""
    values = {name: getattr(record, name) for name in SOURCE_FIELDS}
    values.update(status=record.status, published_at=record.published_at, draft=record.draft)
    return fingerprint(values)


class DraftMixin(models.Model):
    # Pending changes to a live article ({field: value} for DRAFT_FIELDS): readers keep
    # seeing the live columns until the draft is published, now or at draft_publish_at.
    draft = models.JSONField(null=True, blank=True, editable=False)
    draft_publish_at = models.DateTimeField(
        "changes scheduled for", null=True, blank=True, editable=False
    )

    class Meta:
        abstract = True

    @property
    def has_draft(self) -> bool:
        return self.draft is not None

    def with_draft(self):
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

    def edit_token(self) -> str:
        """Identity of what an editor opened: a save naming an older one is refused."""
        return edit_token(self)


class EditingSessionQuerySet(models.QuerySet):
    def open(self, now: datetime | None = None):
        since = (now or timezone.now()) - timezone.timedelta(minutes=EDITING_NOTICE_MINUTES)
        return self.filter(last_seen__gte=since)


class EditingSession(models.Model):
    """Someone has the article's editor open: the "Being edited by … since …" notice.

    Opened when an editor opens the article, closed when they save it. It only informs;
    what stops two editors overwriting each other is the edit token (optimistic locking).
    """

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="editing"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField()

    objects = EditingSessionQuerySet.as_manager()

    class Meta:
        app_label = "articles"
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
    def opened(cls, *, article, user) -> "EditingSession":
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
    def closed(cls, *, article, user) -> None:
        cls.objects.filter(article=article, user=user).delete()
