"""Site-wide records that belong to no feature: the heartbeats monitoring reads."""

from django.db import models
from django.utils import timezone


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
