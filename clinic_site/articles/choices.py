"""The article's enumerations and the one list of what an editor writes, below every
other module of the app, so that each of its concerns (drafts, sign-off, translation,
provenance) can name them without importing models.py, which is composed of them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    # Declared in the order the article list shows them; readers see the labels.
    TREATMENT = "treatment", _("About the treatment")
    SAFETY = "safety", _("Safety and risks")
    VISIT = "visit", _("Your visit")
    QUESTIONS = "questions", _("Common questions")


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


# The page's own words and place, in the order the editor's form shows them: the admin's
# form and its history list them, and a content/ file holds them (provenance.py).
WRITTEN_FIELDS = ("title", "slug", "summary", "key_facts", "topic", "order", "body")
# When and whether readers see the page: the rest of the editor's form.
PUBLISHING_FIELDS = ("status", "published_at")
