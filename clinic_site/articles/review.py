"""Clinical sign-off: who may give it, what it records, and who hears what is due.

A sign-off belongs to the exact words it vouches for (``Article.reviewed_fingerprint``);
editing them afterwards marks the article "changed since review" and puts it back in
the reviewers' queue. Only a user with the ``sign_off_article`` permission (the
"Clinical reviewer" role) *and* a staff profile naming them with their credentials can
sign off, because that name is what readers are shown.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from clinic_site.accounts.models import signing_name

from .models import Article, Status
from .signoff import next_review_date

SIGN_OFF_PERMISSION = "articles.sign_off_article"


def reviewer_name(user) -> str:
    """'Dr A. Example, MD, psychiatrist', or '' when the user has no usable profile
    (staff profiles are accounts', the layer below: accounts.models.signing_name)."""
    return signing_name(user)


def holds_sign_off_permission(user) -> bool:
    """Granted to them, through the role or in person. Not implied by being a
    superuser: running the site does not make anyone a clinician."""
    codename = SIGN_OFF_PERMISSION.split(".")[1]
    return (
        user.user_permissions.filter(codename=codename).exists()
        or user.groups.filter(permissions__codename=codename).exists()
    )


def can_sign_off(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and reviewer_name(user)
        and holds_sign_off_permission(user)
    )


def why_cannot_sign_off(user) -> str:
    if not holds_sign_off_permission(user):
        return "Only a clinical reviewer can sign off an article."
    if not reviewer_name(user):
        return (
            "You cannot sign off yet: your staff profile has no display name and "
            "credentials, which are printed next to a sign-off (“Reviewed by Dr A. "
            "Example, MD, psychiatrist”). Ask whoever manages staff accounts to add them "
            "under Staff profiles; you can sign off as soon as they are saved."
        )
    return ""


def record_sign_off(*, article: Article, reviewer, today: date | None = None) -> None:
    """Write the reviewer's sign-off of the article's live words onto it (the caller,
    workflow.sign_off or workflow.approve, has checked the words and saves)."""
    today = today or timezone.localdate()
    article.reviewer = reviewer
    article.reviewed_by = reviewer_name(reviewer)
    article.last_reviewed = today
    article.next_review_due = next_review_date(today)
    article.reviewed_fingerprint = article.reviewed_print()


def reviewers():
    """Active users who can sign off (directly or through the role), with a profile."""
    users = get_user_model().objects.filter(is_active=True).select_related("staff_profile")
    return [user for user in users if can_sign_off(user)]


@dataclass
class Digest:
    overdue: list[Article]
    due_soon: list[Article]
    changed: list[Article]
    never_reviewed: list[Article]

    @property
    def is_empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.changed or self.never_reviewed)


def digest_for(reviewer, today: date | None = None) -> Digest:
    """What is waiting for this reviewer: articles they signed off that are now due or
    changed, and published articles nobody has signed off yet."""
    today = today or timezone.localdate()
    mine = Article.objects.filter(reviewer=reviewer)
    return Digest(
        overdue=list(mine.review_overdue(today)),
        due_soon=list(mine.review_due_soon(today)),
        changed=list(mine.filter(changed_since_review=True).exclude(next_review_due__lt=today)),
        never_reviewed=list(Article.objects.filter(status=Status.PUBLISHED, reviewer__isnull=True)),
    )


def digest_email(reviewer, digest: Digest) -> EmailMessage:
    """Titles and dates only: articles are public information, so nothing private leaks."""
    sections = [
        ("Overdue for review", digest.overdue, "was due {due}"),
        ("Due in the next 30 days", digest.due_soon, "due {due}"),
        ("Changed since your sign-off", digest.changed, "edited after you signed it off"),
        ("Published but not yet reviewed", digest.never_reviewed, "never signed off"),
    ]
    lines = [f"Hello {reviewer_name(reviewer) or reviewer.get_username()},", ""]
    lines.append("These articles are waiting for a clinical review:")
    for heading, articles, note in sections:
        if not articles:
            continue
        lines += ["", f"{heading} ({len(articles)}):"]
        for article in articles:
            due = f"{article.next_review_due:%-d %B %Y}" if article.next_review_due else ""
            link = settings.SITE_URL + reverse("admin:articles_article_change", args=[article.pk])
            lines.append(f"- {article.title} ({note.format(due=due)}): {link}")
    lines += ["", "Open an article in the admin and choose “Sign off this version”."]
    count = sum(len(articles) for _, articles, _ in sections)
    return EmailMessage(
        subject=f"Clinical review: {count} article{'s' if count != 1 else ''} waiting",
        body="\n".join(lines) + "\n",
        to=[reviewer.email],
    )


def send_review_digests(today: date | None = None) -> int:
    """Email every reviewer with something waiting; returns how many emails were sent."""
    sent = 0
    for reviewer in reviewers():
        digest = digest_for(reviewer, today)
        if digest.is_empty or not reviewer.email:
            continue
        digest_email(reviewer, digest).send()
        sent += 1
    return sent


DIGEST_JOB = "articles.review_digest"
# Until the first clinical reviewer exists, the weekly digest looks again this often.
NO_REVIEWER_RETRY = timezone.timedelta(hours=1)


def weekly_digest_job() -> int:
    """The periodic job: the digests, or, while nobody can receive one, a retry soon,
    so the first reviewer hears within the hour, not a week after the site started."""
    from clinic_site.core import periodic

    if not reviewers():
        periodic.run_again_at(DIGEST_JOB, timezone.now() + NO_REVIEWER_RETRY)
        return 0
    return send_review_digests()
