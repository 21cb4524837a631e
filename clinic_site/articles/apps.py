from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "clinic_site.articles"
    verbose_name = "Articles"

    def ready(self):
        from clinic_site.core import pagecache

        from .models import Article

        # A scheduled article goes public without any save: the page cache must know when.
        pagecache.set_schedule(lambda: Article.objects.next_publish_time())
