"""Site-wide records that belong to no feature: the public content version, the
periodic jobs' schedule, and the heartbeats monitoring reads; and the field every app
uses to record which member of staff did something."""

from django.conf import settings
from django.db import models
from django.utils import timezone


def recorded_staff_member(
    help_text: str = "", *, optional: bool = False, on_delete=models.PROTECT, **options
) -> models.ForeignKey:
    """Who did something, kept as a record: never edited in a form, no reverse accessor.
    Staff who leave are deactivated, not deleted, so PROTECT (the default) keeps the
    name; ``optional`` for rows nobody on the staff made (the website form, a job)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=on_delete,
        null=optional,
        blank=optional,
        related_name="+",
        editable=False,
        help_text=help_text,
        **options,
    )


class ContentVersion(models.Model):
    """One row: the version of the public content, shared by every process and host.

    Each process keeps its own copies of public pages (core.pagecache) and checks them
    against this row at most once a second, so a change made anywhere (an admin save on
    one host, `import_content` on another) reaches every reader within that second,
    whatever the cache set-up. The database decides because every host already shares
    it; Redis is not needed for the page cache at all.
    """

    version = models.CharField(max_length=32)
    # When the content changes by itself (the next scheduled publish): the first
    # process to see this time pass starts a new version.
    valid_until = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "public content version"

    def __str__(self):
        return self.version


class PeriodicJob(models.Model):
    """When each of the site's periodic jobs (core.periodic) is next due.

    The row decides which of several workers, on one host or many, runs a job: the
    first to move ``next_run_at`` forward does it.
    """

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_succeeded = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class HeartbeatQuerySet(models.QuerySet):
    def beat(self, name: str) -> None:
        """Record that ``name`` is alive now (one row per name, updated in place)."""
        self.update_or_create(name=name, defaults={"beat_at": timezone.now()})

    def latest_beat(self, prefix: str):
        """When anything named ``prefix``... last beat, or None."""
        return (
            self.filter(name__startswith=prefix)
            .aggregate(latest=models.Max("beat_at"))
            .get("latest")
        )


class Heartbeat(models.Model):
    """ "Still alive" from a long-running process (the task worker) or the monitor itself.

    In the database rather than a file or the cache, because the monitoring endpoint may
    run on another host than the worker, and the database is the store they share.
    """

    name = models.CharField(max_length=100, unique=True)
    beat_at = models.DateTimeField()

    objects = HeartbeatQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
