from django.contrib import admin
from django.utils import timezone
from markdownx.admin import MarkdownxModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Article, Status


class ReviewDueFilter(admin.SimpleListFilter):
    title = "clinical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("soon", "Due in the next 30 days"),
            ("none", "No review date set"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.review_overdue(today)
        if self.value() == "soon":
            return queryset.filter(
                next_review_due__gte=today,
                next_review_due__lte=today + timezone.timedelta(days=30),
            )
        if self.value() == "none":
            return queryset.filter(next_review_due__isnull=True)
        return queryset


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin, MarkdownxModelAdmin):
    list_display = [
        "title",
        "publication",
        "topic",
        "updated_at",
        "next_review_due",
        "review_overdue",
        "matches_file",
    ]
    list_filter = ["status", "topic", ReviewDueFilter]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["source_file", "created_at", "updated_at", "preview_link"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "topic", "order", "body"]}),
        ("Publishing", {"fields": ["status", "published_at", "preview_link"]}),
        (
            "Clinical review",
            {
                "fields": ["reviewed_by", "last_reviewed", "next_review_due"],
                "description": "A page counts as reviewed only when a clinician's name "
                "and a review date are both filled in; otherwise it shows 'last updated'.",
            },
        ),
        ("Source", {"fields": ["source_file", "created_at", "updated_at"]}),
    ]
    date_hierarchy = "updated_at"

    @admin.display(description="Status", ordering="status")
    def publication(self, article):
        if article.is_scheduled:
            return f"Scheduled for {timezone.localtime(article.published_at):%b %d, %Y %H:%M}"
        return article.get_status_display()

    @admin.display(description="Review overdue", boolean=True)
    def review_overdue(self, article):
        return article.is_review_overdue

    @admin.display(description="Matches content file", boolean=True)
    def matches_file(self, article):
        if not article.source_file:
            return None
        return not article.edited_since_import

    @admin.display(description="Preview")
    def preview_link(self, article):
        from django.utils.html import format_html

        if not article.pk:
            return "Save the article to preview it."
        label = "View on site" if article.is_public else "Preview (only staff can see it)"
        return format_html('<a href="{}">{}</a>', article.get_absolute_url(), label)

    def get_changeform_initial_data(self, request):
        return {"status": Status.DRAFT}
