"""The editors' and clinical reviewers' screens.

A live article is changed through a draft: "Save as draft" keeps readers on the
published version, "Publish changes" (now, or at a chosen time) replaces it. Taking a
live page offline has to be confirmed. Clinical reviewers sign off the live text from
the article's page; nobody types a reviewer's name or a review date.
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from markdownx.admin import MarkdownxModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from clinic_site.core.fields import LocalSplitDateTimeField
from clinic_site.core.staff_display import staff_datetime, yes_no

from . import history, review, workflow
from .choices import PUBLISHING_FIELDS, WRITTEN_FIELDS
from .drafts import DRAFT_FIELDS, EditingSession
from .models import Article, Feedback, Status
from .quality import check_article
from .signoff import REVIEW_DUE_SOON_DAYS, signed_values

TAKE_OFFLINE_WARNING = (
    "Taking this page offline means readers will see “page removed” at its address, "
    "and links to it from other sites and search engines stop working."
)


def staff_time(moment) -> str:
    """ "10:42" today, "01 Dec 2026, 10:42" on another day (clinic time)."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return f"{local:%H:%M}"
    return staff_datetime(moment)


class ReviewDueFilter(admin.SimpleListFilter):
    title = "clinical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("soon", f"Due in the next {REVIEW_DUE_SOON_DAYS} days"),
            ("changed", "Changed since review"),
            ("none", "Not reviewed"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.review_overdue(today)
        if self.value() == "soon":
            return queryset.review_due_soon(today)
        if self.value() == "changed":
            return queryset.filter(changed_since_review=True)
        if self.value() == "none":
            return queryset.filter(reviewer__isnull=True)
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


def keep_unchanged_moments(cleaned: dict, instance) -> None:
    """A date and time sent back as the form showed it keeps its exact moment.

    The form shows local times without their offset, so 01:30 the night the clocks go
    back could be either 01:30; sent back unchanged, it stays the one it was.
    """
    if instance.pk is None:
        return
    for name, value in cleaned.items():
        old = getattr(instance, name, None)
        if isinstance(value, datetime.datetime) and isinstance(old, datetime.datetime):
            shown = timezone.localtime(old).replace(tzinfo=None, microsecond=0)
            if shown == timezone.localtime(value).replace(tzinfo=None, microsecond=0):
                cleaned[name] = old


def signed_off_message(article) -> str:
    return (
        f"Signed off by {article.reviewed_by} on {article.last_reviewed:%-d %B %Y}. "
        f"Next review due {article.next_review_due:%-d %B %Y}."
    )


def approved_message(article) -> str:
    return f"Approved and published: the page says “Reviewed by {article.reviewed_by}”."


class ArticleForm(forms.ModelForm):
    changes_publish_at = LocalSplitDateTimeField(
        required=False,
        widget=AdminSplitDateTime,
        label="Publish changes at",
        help_text="Only for a published page. Set a date and time and press “Save as "
        "draft” to publish your changes then; leave empty to publish them yourself.",
    )
    confirm_take_offline = forms.BooleanField(
        required=False,
        label="Yes, take this page offline",
        help_text=TAKE_OFFLINE_WARNING,
    )
    translations_when_offline = forms.ChoiceField(
        required=False,
        widget=forms.RadioSelect,
        label="Its translations",
        choices=[
            ("keep", "Keep the translations online"),
            ("offline", "Take the translations offline too"),
        ],
        help_text="Only when taking a page offline that has translations online.",
    )
    # What the editor opened (Article.edit_token): a save on top of someone else's
    # newer save is refused, with their changes shown (optimistic locking).
    edit_token = forms.CharField(required=False, widget=forms.HiddenInput)
    # Set by ArticleAdmin.get_form: who is saving.
    user = None
    # The other person's changes when a save is refused for being on an older version.
    conflict: list[dict] = []

    class Meta:
        model = Article
        fields = [*WRITTEN_FIELDS, *PUBLISHING_FIELDS]
        widgets = {"key_facts": forms.Textarea(attrs={"rows": 5, "cols": 100})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.draft_publish_at:
            self.fields["changes_publish_at"].initial = timezone.localtime(
                self.instance.draft_publish_at
            )
        if "language" in self.fields:
            # A form sent without it (another screen's, or an older tab) keeps the language.
            self.fields["language"].required = False
        live = self.live()
        if live is not None:
            self.fields["edit_token"].initial = live.edit_token()

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language or "en"

    def live(self) -> Article | None:
        """The article as stored now (the form's instance may hold a draft or an old
        version being restored)."""
        if not self.instance.pk:
            return None
        return Article.objects.filter(pk=self.instance.pk).first()

    def clean(self):
        cleaned = super().clean()
        keep_unchanged_moments(cleaned, self.instance)
        live = self.live()
        saving_draft = "_save_draft" in self.data or "_submit_review" in self.data
        token = cleaned.get("edit_token")
        if live is not None and token and token != live.edit_token():
            # A form sent without a token (a script, an old tab) is not checked.
            self.conflict = history.changes_since_token(live, token)
            raise forms.ValidationError(workflow.SAVED_BY_SOMEONE_ELSE)
        restoring = "_restore" in self.data
        if (
            live is not None
            and not saving_draft
            and not restoring
            and self.user is not None
            and not workflow.may_publish_without_review(self.user)
            and workflow.replaces_reviewed_text(
                live, {name: cleaned.get(name) for name in live.signed_values()}
            )
        ):
            raise forms.ValidationError(
                "A clinical reviewer signed off this page, so your changes cannot be "
                "published straight away. Press “Submit for clinical review”: readers "
                "see your changes once a reviewer approves them."
            )
        if (
            live is not None
            and live.is_public
            and not saving_draft
            and cleaned.get("status") == Status.DRAFT
            and not cleaned.get("confirm_take_offline")
        ):
            self.add_error(
                "confirm_take_offline" if "confirm_take_offline" in self.fields else None,
                TAKE_OFFLINE_WARNING + " Tick “Yes, take this page offline” to confirm, "
                "or choose “Save as draft” to keep it online while you work on changes.",
            )
        if (
            live is not None
            and live.is_public
            and not saving_draft
            and cleaned.get("status") == Status.DRAFT
            and live.translations.published().exists()
            and not cleaned.get("translations_when_offline")
        ):
            self.add_error(
                "translations_when_offline" if "translations_when_offline" in self.fields else None,
                "This page has a translation online. Choose whether to keep it online or "
                "to take it offline too.",
            )
        when = cleaned.get("changes_publish_at")
        if (
            when is not None
            and live is not None
            and self.user is not None
            and not workflow.may_publish_without_review(self.user)
            and workflow.replaces_reviewed_text(
                live, {name: cleaned.get(name) for name in live.signed_values()}
            )
        ):
            self.add_error(
                "changes_publish_at",
                "A clinical reviewer signed off this page, so changes to its words cannot "
                "be scheduled: press “Submit for clinical review” (they go live when a "
                "reviewer approves them), or clear the date.",
            )
        if when is not None:
            if not saving_draft:
                self.add_error(
                    "changes_publish_at",
                    "To schedule your changes press “Save as draft”; “Publish changes” "
                    "publishes them now. Or clear the date.",
                )
            elif when <= timezone.now():
                self.add_error(
                    "changes_publish_at",
                    "Choose a time in the future, or press “Publish changes” to publish now.",
                )
        return cleaned


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin, MarkdownxModelAdmin):
    form = ArticleForm
    # Dates and times that can be saved the nights the clocks change (core.fields).
    formfield_overrides = {
        **MarkdownxModelAdmin.formfield_overrides,
        models.DateTimeField: {"form_class": LocalSplitDateTimeField, "widget": AdminSplitDateTime},
    }
    list_display = [
        "title",
        "publication",
        "language",
        "translation_state",
        "topic",
        "updated_at",
        "next_review_due",
        "review_status",
        "matches_file",
        "helpful_counts",
    ]
    list_filter = ["status", "language", "topic", ReviewDueFilter]
    list_select_related = ["translation_of"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "source_file",
        "created_at",
        "updated_at",
        "preview_link",
        "draft_state",
        "quality",
        "matches_file",
        "review_summary",
        "translations_shown",
    ]
    fieldsets = [
        (
            None,
            {"fields": [*WRITTEN_FIELDS, "quality", "edit_token"]},
        ),
        (
            "Sources and crisis note",
            {
                "fields": ["sources", "crisis_note"],
                "description": "Every published page lists at least two sources with "
                "https web addresses. Cite only documents you have opened and checked.",
            },
        ),
        (
            "Publishing",
            {
                "fields": [
                    *PUBLISHING_FIELDS,
                    "preview_link",
                    "draft_state",
                    "changes_publish_at",
                    "confirm_take_offline",
                    "translations_when_offline",
                ]
            },
        ),
        (
            "Clinical review",
            {
                "fields": ["review_summary"],
                "description": "Only a clinical reviewer can sign off an article. The page "
                "says “Reviewed by …” only while its text is exactly what they signed off.",
            },
        ),
        (
            "Language and translations",
            {
                "fields": ["language", "translation_of", "translations_shown"],
                "description": "A Spanish page is a translation of an English one. It is "
                "“Out of date” when the English text changed after the translation last did.",
            },
        ),
        ("Source", {"fields": ["source_file", "matches_file", "created_at", "updated_at"]}),
    ]
    date_hierarchy = "updated_at"
    inlines = [FeedbackInline]
    object_history_template = "admin/articles/history.html"
    object_history_form_template = "admin/articles/history_form.html"
    object_history_list_template = "admin/articles/history_list.html"

    class Media:
        css = {"all": ["articles/admin.css"]}
        js = ["articles/editor.js"]

    # --- List -----------------------------------------------------------------------

    @admin.display(description="Status", ordering="status")
    def publication(self, article):
        if article.is_scheduled:
            return f"Scheduled for {staff_datetime(article.published_at)}"
        label = article.get_status_display()
        if article.draft_publish_at:
            return f"{label}; changes scheduled for {staff_datetime(article.draft_publish_at)}"
        if article.has_draft:
            return f"{label}; unpublished changes"
        return label

    @admin.display(description="Translation")
    def translation_state(self, article):
        if article.translation_of_id is None:
            return "Original" if article.language == "en" else "Not linked to an original"
        if article.is_translation_out_of_date:
            return format_html('<strong class="tag">{}</strong>', "Out of date")
        return "Up to date"

    @admin.display(description="Translations")
    def translations_shown(self, article):
        """Each translation of this article, with its status in words; for a
        translation, its original."""
        if article.pk is None:
            return "None yet"
        if article.translation_of_id:
            original = article.translation_of
            changes = history.english_changes_since_translation(article)
            return format_html(
                'Translation of <a href="{}">{}</a> (English){}{}',
                reverse("admin:articles_article_change", args=[original.pk]),
                original.title,
                format_html(' <strong class="tag">{}</strong>', "Out of date")
                if article.is_translation_out_of_date
                else "",
                render_to_string(
                    "admin/articles/includes/english_changes.html", {"changes": changes}
                )
                if changes
                else "",
            )
        translations = article.translations.order_by("language", "title")
        if not translations:
            return "None yet"
        return format_html_join(
            mark_safe("<br>"),  # noqa: S308 - a constant
            '<a href="{}">{}</a> ({}, {}){}',
            (
                (
                    reverse("admin:articles_article_change", args=[translation.pk]),
                    translation.title,
                    translation.get_language_display(),
                    "published" if translation.is_public else translation.get_status_display(),
                    format_html(' <strong class="tag">{}</strong>', "Out of date")
                    if translation.is_translation_out_of_date
                    else "",
                )
                for translation in translations
            ),
        )

    @admin.display(description="Clinical review")
    def review_status(self, article):
        return format_html('<strong class="tag">{}</strong>', article.review_status)

    @admin.display(description="Content file")
    def matches_file(self, article):
        if not article.source_file:
            return "Not imported"
        return "Changed in the admin" if article.edited_since_import else "Matches"

    @admin.display(description="Helpful (yes / no)")
    def helpful_counts(self, article):
        return f"{article.helpful_yes} / {article.helpful_no}"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                helpful_yes=Count("feedback", filter=Q(feedback__helpful=True)),
                helpful_no=Count("feedback", filter=Q(feedback__helpful=False)),
            )
        )

    # --- Change form ------------------------------------------------------------------

    def get_object(self, request, object_id, from_field=None):
        article = super().get_object(request, object_id, from_field)
        match = request.resolver_match
        if article is not None and match and match.url_name == "articles_article_change":
            # Editors continue from their draft, not from the live text.
            draft_publish_at = article.draft_publish_at
            for name, value in (article.draft or {}).items():
                setattr(article, name, value)
            article.draft_publish_at = draft_publish_at
        return article

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        restoring = request.resolver_match.url_name == "articles_article_simple_history"
        live = Article.objects.filter(pk=obj.pk).first() if obj is not None else None
        translated = live is not None and live.translations.published().exists()
        if live is not None and live.is_public and not restoring and translated:
            return fieldsets
        # Drafts of changes and taking offline apply to a published page only; a
        # restore may still take one offline, so it keeps the confirmation.
        live_only = {"translations_when_offline"} if not translated else set()
        if not (live is not None and live.is_public and not restoring):
            live_only |= {"draft_state", "changes_publish_at"}
        if not (live is not None and live.is_public):
            live_only |= {"confirm_take_offline", "translations_when_offline"}
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in live_only]})
            for name, options in fieldsets
        ]

    def get_changeform_initial_data(self, request):
        return {"status": Status.DRAFT}

    @admin.display(description="Preview")
    def preview_link(self, article):
        if not article.pk:
            return "Save the article to preview it."
        label = "View on site" if article.is_public else "Preview (only staff can see it)"
        return format_html('<a href="{}">{}</a>', article.get_absolute_url(), label)

    @admin.display(description="Unpublished changes")
    def draft_state(self, article):
        if not article.pk or not article.has_draft:
            return (
                "None. On a published page, “Save as draft” keeps readers on the "
                "published version while you work."
            )
        when = (
            f"They will be published on {staff_datetime(article.draft_publish_at)}."
            if article.draft_publish_at
            else "Readers still see the published version until you press “Publish changes”."
        )
        return format_html(
            '{} <a href="{}">Preview the changes</a>',
            when,
            reverse("articles:draft", kwargs={"slug": Article.objects.get(pk=article.pk).slug}),
        )

    @admin.display(description="Writing checks")
    def quality(self, article):
        if not article.pk:
            return "Shown after the first save."
        return render_to_string(
            "admin/articles/quality.html",
            {"report": check_article(article), "target_grade": settings.READABILITY_TARGET_GRADE},
        )

    @admin.display(description="Sign-off")
    def review_summary(self, article):
        if not article.pk:
            return "Shown after the first save."
        return render_to_string(
            "admin/articles/review_summary.html", {"article": Article.objects.get(pk=article.pk)}
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        live = Article.objects.filter(pk=object_id).first() if object_id else None
        others_editing = []
        if (
            live is not None
            and request.method == "GET"
            and self.has_change_permission(request, live)
        ):
            # Reading is not editing: reviewers and viewers open no session.
            EditingSession.opened(article=live, user=request.user)
        if live is not None:
            others_editing = [
                {"name": session.editor_name, "since": staff_time(session.started_at)}
                for session in live.editing.open().exclude(user=request.user).select_related("user")
            ]
        extra_context = {
            **(extra_context or {}),
            "is_live": bool(live and live.is_public),
            "live": live,
            "others_editing": others_editing,
            "content_file_waiting": bool(live and live.content_file_has_newer_changes),
            "can_sign_off": bool(live) and review.can_sign_off(request.user),
            "is_reviewer": review.holds_sign_off_permission(request.user),
            "why_cannot_sign_off": review.why_cannot_sign_off(request.user),
            "is_reviewed": bool(live and live.is_public and live.is_reviewed),
            "may_publish_without_review": workflow.may_publish_without_review(request.user),
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    def log_change(self, request, obj, message):
        # The admin's own log says what happened in words too ("Restored the version
        # of …", "Taken offline: …"), not just "Changed".
        reason = getattr(obj, "_change_reason", None)
        return super().log_change(request, obj, reason or message)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # The form's checks depend on who saves (may they publish without review?).
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        live = form.live() if change else None
        restoring = request.resolver_match.url_name == "articles_article_simple_history"
        drafting = "_save_draft" in request.POST or "_submit_review" in request.POST
        if restoring:
            # simple_history's URL passes (object_id, version_id) positionally.
            version_id = request.resolver_match.args[-1]
            version = obj.history.model.objects.get(history_id=version_id)
            workflow.restore(article=obj, version=version, user=request.user)
        elif drafting and live is not None and live.is_public:
            workflow.save_draft(
                article=live,
                values={name: getattr(obj, name) for name in DRAFT_FIELDS},
                user=request.user,
                publish_at=form.cleaned_data.get("changes_publish_at"),
            )
            obj.draft, obj.draft_publish_at = live.draft, live.draft_publish_at
            obj._change_reason = live._change_reason
            left_out = [
                label
                for name, label in [
                    ("slug", "address"),
                    ("status", "status"),
                    ("published_at", "published at"),
                ]
                if getattr(obj, name) != getattr(live, name)
            ]
            if left_out:
                self.message_user(
                    request,
                    f"Not part of the draft, so not changed: {', '.join(left_out)}. A draft "
                    "holds the title, summary, key facts, topic, position and text; change "
                    "the others with “Publish changes”.",
                    messages.WARNING,
                )
        elif drafting:
            # An unpublished page: its own columns are the draft.
            obj.status = Status.DRAFT if live is None or not live.is_public else obj.status
            super().save_model(request, obj, form, change)
        else:
            reason = ""
            if live is not None and live.is_public and obj.status == Status.DRAFT:
                reason = "Taken offline: readers see “page removed”"
            elif live is not None and live.has_draft:
                reason = "Published the draft changes"
            workflow.publish(article=obj, user=request.user, reason=reason)
            if form.cleaned_data.get("translations_when_offline") == "offline":
                workflow.take_translations_offline(article=obj, user=request.user)
        if "_submit_review" in request.POST:
            workflow.submit_for_review(article=obj, user=request.user)
        EditingSession.closed(article=obj, user=request.user)
        self._writing_messages(request, obj, was_edited=bool(live and live.edited_since_import))

    def _writing_messages(self, request, obj, *, was_edited: bool = False):
        report = check_article(obj)
        self.message_user(
            request,
            f"Reading time about {report.reading_minutes} min; readability {report.readability}.",
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
                text = message.format("; ".join(found)) + " The page was saved."
                self.message_user(request, text, messages.WARNING)
        if not report.key_facts_ok:
            self.message_user(
                request,
                f"Key facts: {report.key_facts}. Write three to five short sentences, one per "
                "line, for the box at the top of the page. The page was saved.",
                messages.WARNING,
            )
        if not was_edited and obj.pk and Article.objects.get(pk=obj.pk).edited_since_import:
            # Said once, when the article first differs from its file, not on every save.
            self.message_user(
                request,
                "This article now differs from its content file "
                f"({obj.source_file}). Your changes stay when the files are imported again.",
                messages.INFO,
            )

    def response_change(self, request, obj):
        if "_submit_review" in request.POST:
            self.message_user(
                request,
                "Submitted for clinical review. Readers see your changes once a clinical "
                "reviewer approves them; if they ask for changes, their comment appears here.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(request.path)
        if "_save_draft" in request.POST and obj.has_draft:
            self.message_user(
                request,
                "Saved as a draft. Readers still see the published version"
                + (
                    f"; your changes will be published on {staff_datetime(obj.draft_publish_at)}."
                    if obj.draft_publish_at
                    else ". Press “Publish changes” when they are ready."
                ),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    # --- Clinical sign-off ----------------------------------------------------------------

    def _reviewed_article(self, request, object_id) -> Article:
        article = self.get_object(request, object_id)
        if article is None:
            raise PermissionDenied
        return Article.objects.get(pk=article.pk)  # as stored, never the editor's overlay

    def _review_context(self, request, article: Article, **extra) -> dict:
        pending = article.with_draft()
        last_reviewed = workflow.last_reviewed_version(article)
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "article": article,
            "pending": pending,
            "token": article.review_token(),
            "last_reviewed": last_reviewed,
            "changes": history.rendered_changes(
                last_reviewed and signed_values(last_reviewed),
                article.signed_values(pending=True),
            ),
            "report": check_article(pending),
            "target_grade": settings.READABILITY_TARGET_GRADE,
            "reviewer_name": review.reviewer_name(request.user),
            "next_due": review.next_review_date(timezone.localdate()),
            **extra,
        }

    def _changed_while_reading(self, request, error: workflow.TextChanged, template, title):
        seen = error.seen and signed_values(error.seen, pending=True)
        context = self._review_context(
            request,
            error.article,
            title=title,
            changed_while_reading=history.rendered_changes(
                seen, error.article.signed_values(pending=True)
            ),
        )
        return TemplateResponse(request, template, context, status=409)

    def _sign(self, request, article, transition, *, page, told):
        """Run a sign-off or approval for the text the reviewer had on screen (the form's
        token); if it changed while they read, show them what changed instead."""
        try:
            transition(
                article=article,
                reviewer=request.user,
                token=request.POST.get("token") or "missing",
            )
        except workflow.TextChanged as error:
            return self._changed_while_reading(request, error, *page)
        self.log_change(request, article, article._change_reason)
        self.message_user(request, told(article), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def sign_off_view(self, request, object_id):
        article = self._reviewed_article(request, object_id)
        if not review.can_sign_off(request.user):
            raise PermissionDenied(review.why_cannot_sign_off(request.user))
        title = f"Sign off “{article}”"
        template = "admin/articles/sign_off.html"
        if request.method == "POST":
            return self._sign(
                request, article, workflow.sign_off, page=(template, title), told=signed_off_message
            )
        context = self._review_context(request, article, title=title)
        return TemplateResponse(request, template, context)

    def review_view(self, request, object_id):
        """The reviewer's screen: the pending text as readers will see it, what changed
        since the last sign-off in rendered words, the writing checks, and the two
        buttons."""
        article = self._reviewed_article(request, object_id)
        title = f"Clinical review of “{article}”"
        template = "admin/articles/review.html"
        if request.method == "POST":
            if not review.can_sign_off(request.user):
                raise PermissionDenied(review.why_cannot_sign_off(request.user))
            if "_request_changes" in request.POST:
                try:
                    workflow.request_changes(
                        article=article,
                        reviewer=request.user,
                        comment=request.POST.get("comment", ""),
                    )
                except ValueError as error:
                    context = self._review_context(
                        request, article, title=title, comment_error=str(error)
                    )
                    return TemplateResponse(request, template, context, status=400)
                self.log_change(request, article, article._change_reason)
                self.message_user(
                    request, "Changes requested: the editor sees your comment.", messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:articles_article_changelist"))
            return self._sign(
                request, article, workflow.approve, page=(template, title), told=approved_message
            )
        context = self._review_context(request, article, title=title)
        context["can_sign_off"] = review.can_sign_off(request.user)
        context["why_cannot_sign_off"] = review.why_cannot_sign_off(request.user)
        return TemplateResponse(request, template, context)

    def review_queue_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Waiting for clinical review",
            "queue": workflow.review_queue(),
        }
        return TemplateResponse(request, "admin/articles/review_queue.html", context)

    # --- History ------------------------------------------------------------------------

    def get_urls(self):
        pages = [
            ("<int:object_id>/history/<int:history_id>/diff/", self.diff_view, "diff"),
            ("<int:object_id>/sign-off/", self.sign_off_view, "sign_off"),
            ("<int:object_id>/review/", self.review_view, "review"),
            ("review-queue/", self.review_queue_view, "review_queue"),
        ]
        extra = [
            path(route, self.admin_site.admin_view(view), name=f"articles_article_{name}")
            for route, view, name in pages
        ]
        return extra + super().get_urls()

    def diff_view(self, request, object_id, history_id):
        article = self.get_object(request, object_id)
        if article is None or not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        record = get_object_or_404(article.history.model, id=article.pk, history_id=history_id)
        previous = record.prev_record
        if request.GET.get("with") == "current":
            return self._compare_with_current(request, article, record)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Version {record.version_number} of “{article}”",
            "article": article,
            "record": record,
            "summary": history.summary(record),
            "previous": previous,
            "changes": history.changes(previous, record),
            "draft_changes": history.draft_changes(record)
            if previous is None or record.draft != previous.draft
            else [],
        }
        return TemplateResponse(request, "admin/articles/diff.html", context)

    def _compare_with_current(self, request, article, record):
        """This version against the article now, in rendered words: what restoring it
        would bring back (and what the current draft, if any, would lose)."""
        current = Article.objects.get(pk=article.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Version {record.version_number} compared with the current text",
            "article": current,
            "record": record,
            "changes": history.rendered_changes(
                signed_values(record, pending=True), current.signed_values(pending=True)
            ),
        }
        return TemplateResponse(request, "admin/articles/compare.html", context)

    def history_form_view_title(self, request, obj):
        return f"Restore an earlier version of “{obj}”"

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not (str(object_id).isdigit() and str(version_id).isdigit()):
            raise Http404  # simple_history's URL takes any text; ours are numbers
        version = get_object_or_404(Article.history.model, id=object_id, history_id=version_id)
        extra_context = {**(extra_context or {}), "version": version}
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        # Number the versions in one query (the queryset holds this article's only).
        return (
            super()
            .get_history_queryset(request, history_manager, pk_name, object_id)
            .annotate(
                numbered=Window(
                    RowNumber(), order_by=[F("history_date").asc(), F("history_id").asc()]
                )
            )
        )

    def set_history_delta_changes(self, request, page_obj, *args, **kwargs):
        # The history list says what happened in words (history.summary); the
        # field-by-field values simple_history would compute here are not shown.
        return None
