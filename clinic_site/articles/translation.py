"""Translations of articles: which English page a Spanish one translates, and whether
the English words changed since the translation was made (by fingerprint of the words,
not by date, so restoring the original's old words makes the translation current
again)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from clinic_site.core.languages import Language

from .signoff import signed_print

# Columns note_text_changes() sets on every save (also when the caller names update_fields).
DERIVED_FIELDS = ("text_fingerprint", "text_changed_at", "translated_from_print")


class TranslationMixin(models.Model):
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

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.translation_of_id and self.language == Language.ENGLISH:
            raise ValidationError({"translation_of": "Only a Spanish page is a translation."})
        if self.translation_of_id and self.translation_of.language != Language.ENGLISH:
            raise ValidationError({"translation_of": "Choose the English original."})

    def note_text_changes(self) -> None:
        """Called by save(): date and fingerprint the words when they change; for a
        translation whose words changed, remember which original words it was made from."""
        text_print = signed_print(self)
        changed = False
        if not self.text_fingerprint and self.text_changed_at:
            # A row from before translations (the migration dated its words at its last
            # update): take its fingerprint without calling that a change.
            self.text_fingerprint = text_print
        elif text_print != self.text_fingerprint or self.text_changed_at is None:
            self.text_fingerprint = text_print
            self.text_changed_at = timezone.now()
            changed = True
        if self.translation_of_id and changed:
            # The translator's words changed: they were made from the original as it is.
            self.translated_from_print = (
                type(self)
                .objects.filter(pk=self.translation_of_id)
                .values_list("text_fingerprint", flat=True)
                .first()
                or ""
            )

    @property
    def is_translation_out_of_date(self) -> bool:
        """The English original's words are not the words this translation was made from
        (by fingerprint: restoring the original's old words makes it current again)."""
        original = self.translation_of
        if original is None or not original.text_fingerprint:
            return False
        return original.text_fingerprint != self.translated_from_print

    def public_counterparts(self) -> dict:
        """{language: article} for this page and its public versions in other languages."""
        published = type(self).objects.published()
        if self.translation_of_id:
            original = self.translation_of_id
            family = published.filter(models.Q(pk=original) | models.Q(translation_of=original))
        else:
            family = published.filter(translation_of=self.pk)
        pages = {article.language: article for article in family.only("slug", "language")}
        pages[self.language] = self
        return pages

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
