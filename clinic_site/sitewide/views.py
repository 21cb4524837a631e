"""Pages about the whole site, which state facts owned by several apps: the privacy
notice (intake's retention and consent, readership's counting) and the editorial
policy (articles' clinical review)."""

from django.conf import settings
from django.shortcuts import render


def privacy(request):
    return render(
        request,
        "sitewide/privacy.html",
        {
            "receipt_minutes": settings.CONTACT_RECEIPT_MINUTES,
            "readership_keep_days": settings.READERSHIP_KEEP_DAYS,
        },
    )


def editorial_policy(request):
    return render(
        request,
        "sitewide/editorial_policy.html",
        {"review_months": settings.CLINICAL_REVIEW_INTERVAL_MONTHS},
    )
