"""The article's enumerations, below every other module of the app, so that each of
its concerns (drafts, sign-off, translation, provenance) can name them without
importing models.py, which is composed of those concerns."""

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
