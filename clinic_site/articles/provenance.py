"""Import provenance: which content/ file an article came from, and whether the file
or the admin changed it since (``import_content``, importer.py, reads and writes it)."""

from django.db import models

from .choices import WRITTEN_FIELDS
from .fingerprints import fingerprint

# Fields that come from a content/ file; the import compares and writes only these.
SOURCE_FIELDS = (*WRITTEN_FIELDS, "sources", "crisis_note")
# A clinical sign-off a content/ file may also carry (see importer.py). Kept out of the
# fingerprint: a reviewer signing off in the admin does not make the text differ from
# its file.
REVIEW_FIELDS = ("reviewer", "reviewed_by", "last_reviewed", "next_review_due")


class ProvenanceMixin(models.Model):
    """Set by ``import_content``: which file the article came from, and the fingerprint
    of its source fields as imported. A different fingerprint now means an editor has
    changed it in the admin since."""

    source_file = models.CharField(max_length=200, blank=True, editable=False)
    imported_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # Set by `import_content` when the file changed too but was not imported, because
    # the article had changes made in the admin: the fingerprint of the file's version
    # that is waiting. Editors are told; cleared when the file is imported again.
    waiting_file_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True

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
