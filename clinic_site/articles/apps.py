from datetime import timedelta

from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "clinic_site.articles"
    verbose_name = "Articles"

    def ready(self):
        from clinic_site.core import pagecache, periodic
        from clinic_site.readership import figures

        from . import review
        from .models import Article
        from .workflow import publish_due_changes

        # A scheduled article, or scheduled changes to a live one, go public without any
        # save: the page cache must know when, and publishes the changes when it is time.
        pagecache.set_schedule(
            lambda: Article.objects.next_publish_time(), on_due=publish_due_changes
        )
        # Each clinical reviewer hears weekly what is due (run by the task worker).
        periodic.register(review.DIGEST_JOB, every=timedelta(days=7), job=review.weekly_digest_job)
        # The readership page shows each article's views beside readers' answers.
        figures.register_articles(Article.objects.readership_info)
