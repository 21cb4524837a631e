from datetime import timedelta

from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "clinic_site.articles"
    verbose_name = "Articles"

    def ready(self):
        from clinic_site.core import periodic
        from clinic_site.readership import figures

        from . import review, scheduling
        from .models import Article

        # Scheduled articles and scheduled changes (the worker's job, the cache's expiry).
        scheduling.register()
        # Each clinical reviewer hears weekly what is due (run by the task worker).
        periodic.register(review.DIGEST_JOB, every=timedelta(days=7), job=review.weekly_digest_job)
        # The readership page shows each article's views beside readers' answers.
        figures.register_articles(Article.objects.readership_info)
