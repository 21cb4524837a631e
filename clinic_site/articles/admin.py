import difflib

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from markdownx.admin import MarkdownxModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from clinic_site.core.staff_display import staff_datetime, yes_no

from .models import Article, Feedback, Status
from .quality import check_article


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


class FeedbackInline(admin.TabularInline):
    model = Feedback
    fields = ["created_at", "helpful_answer", "comment"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = "Readers' feedback (newest first)"

    @admin.display(description="Helpful")
    def helpful_answer(self, feedback):
        # Yes/no in words on staff screens, never a tick or a cross.
        return yes_no(feedback.helpful)


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
        "helpful_counts",
    ]
    list_filter = ["status", "topic", ReviewDueFilter]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "source_file",
        "created_at",
        "updated_at",
        "preview_link",
        "quality",
        "matches_file",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "topic", "order", "body", "quality"]}),
        (
            "Sources and crisis note",
            {
                "fields": ["sources", "crisis_note"],
                "description": "Every published page lists at least two sources with "
                "https web addresses. Cite only documents you have opened and checked.",
            },
        ),
        ("Publishing", {"fields": ["status", "published_at", "preview_link"]}),
        (
            "Clinical review",
            {
                "fields": ["reviewed_by", "last_reviewed", "next_review_due"],
                "description": "A page counts as reviewed only when a clinician's name "
                "and a review date are both filled in; otherwise it shows 'last updated'.",
            },
        ),
        ("Source", {"fields": ["source_file", "matches_file", "created_at", "updated_at"]}),
    ]
    date_hierarchy = "updated_at"
    inlines = [FeedbackInline]

    @admin.display(description="Status", ordering="status")
    def publication(self, article):
        if article.is_scheduled:
            return f"Scheduled for {staff_datetime(article.published_at)}"
        return article.get_status_display()

    @admin.display(description="Review overdue")
    def review_overdue(self, article):
        return yes_no(article.is_review_overdue)

    @admin.display(description="Matches content file")
    def matches_file(self, article):
        if not article.source_file:
            return "No file"
        return yes_no(not article.edited_since_import)

    @admin.display(description="Preview")
    def preview_link(self, article):
        if not article.pk:
            return "Save the article to preview it."
        label = "View on site" if article.is_public else "Preview (only staff can see it)"
        return format_html('<a href="{}">{}</a>', article.get_absolute_url(), label)

    def get_changeform_initial_data(self, request):
        return {"status": Status.DRAFT}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                helpful_yes=Count("feedback", filter=Q(feedback__helpful=True)),
                helpful_no=Count("feedback", filter=Q(feedback__helpful=False)),
            )
        )

    @admin.display(description="Helpful (yes / no)")
    def helpful_counts(self, article):
        return f"{article.helpful_yes} / {article.helpful_no}"

    @admin.display(description="Writing checks")
    def quality(self, article):
        if not article.pk:
            return "Shown after the first save."
        return render_to_string("admin/articles/quality.html", {"report": check_article(article)})

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        report = check_article(obj)
        target = settings.READABILITY_TARGET_GRADE
        grade = "too short to grade" if report.grade is None else f"grade {report.grade}"
        self.message_user(
            request,
            f"Reading time about {report.reading_minutes} min; readability {grade} "
            f"(target: about grade {target}).",
            messages.INFO if report.grade_ok else messages.WARNING,
        )
        warnings = [
            (report.avoided_words, "Words the clinic avoids: {}. Consider calmer wording."),
            (
                report.images_without_alt,
                "Images without a description (alt text): {}. "
                "Describe each image for readers who cannot see it.",
            ),
        ]
        for found, message in warnings:
            if found:
                text = message.format(", ".join(found)) + " The page was saved."
                self.message_user(request, text, messages.WARNING)
        if obj.edited_since_import:
            self.message_user(
                request,
                f"This article now differs from content/{obj.source_file}; "
                "import_content will keep your version unless run with --force.",
                messages.INFO,
            )

    # --- Revision history: what changed between two versions -------------------------

    history_list_display = ["status", "changed_fields", "revision_preview"]

    @admin.display(description="Changed")
    def changed_fields(self, record):
        previous = record.prev_record
        if previous is None:
            return "Created"
        delta = record.diff_against(previous, excluded_fields=["updated_at"])
        return ", ".join(change.field.replace("_", " ") for change in delta.changes) or "—"

    @admin.display(description="Compare")
    def revision_preview(self, record):
        diff_url = reverse("admin:articles_article_diff", args=[record.id, record.history_id])
        preview_url = reverse(
            "articles:revision", kwargs={"slug": record.slug, "history_id": record.history_id}
        )
        return format_html(
            '<a href="{}">Changes</a> · <a href="{}">Preview</a>', diff_url, preview_url
        )

    def get_urls(self):
        extra = [
            path(
                "<int:object_id>/history/<int:history_id>/diff/",
                self.admin_site.admin_view(self.diff_view),
                name="articles_article_diff",
            )
        ]
        return extra + super().get_urls()

    def diff_view(self, request, object_id, history_id):
        article = self.get_object(request, object_id)
        if article is None or not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        record = get_object_or_404(article.history.model, id=article.pk, history_id=history_id)
        previous = record.prev_record
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=["updated_at"])
            for change in delta.changes:
                old, new = str(change.old or ""), str(change.new or "")
                lines = difflib.unified_diff(
                    old.splitlines(), new.splitlines(), "before", "after", lineterm="", n=2
                )
                changes.append({"field": change.field, "diff": "\n".join(lines)})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Changes in version {history_id} of “{article}”",
            "article": article,
            "record": record,
            "previous": previous,
            "changes": changes,
        }
        return TemplateResponse(request, "admin/articles/diff.html", context)
