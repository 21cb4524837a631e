"""Schema.org structured data (JSON-LD) for search engines, built as plain dicts.

Views call these and pass the result to the template, which prints it with
``{% json_ld data %}`` (see ``core/templatetags/structured_data.py``). Only facts the page
itself shows go in: an article claims a clinical review only when it has one.
"""

from html.parser import HTMLParser

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

# The article whose h2 questions become a schema.org FAQPage.
FAQ_SLUG = "frequently-asked-questions"


def medical_clinic(*, request) -> dict:
    """The clinic itself, from settings, for the home page."""
    return {
        "@context": "https://schema.org",
        **_clinic(request),
    }


def medical_web_page(*, article, request) -> dict:
    """An article page; also a FAQPage when it is the FAQ."""
    url = request.build_absolute_uri(article.get_absolute_url())
    page = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "@id": url,
        "url": url,
        "name": article.title,
        "headline": article.title,
        "description": article.summary,
        "inLanguage": _language_tag(article.language),
        "audience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "dateModified": article.updated_at.isoformat(),
        "publisher": _clinic(request),
        "breadcrumb": _breadcrumbs(
            request,
            [
                (gettext("Home"), reverse("home")),
                (gettext("Articles"), reverse("articles:list")),
                (article.title, article.get_absolute_url()),
            ],
        ),
    }
    if article.published_at:
        page["datePublished"] = article.published_at.isoformat()
    if article.is_reviewed:
        page["lastReviewed"] = article.last_reviewed.isoformat()
        page["reviewedBy"] = {"@type": "Person", "name": article.reviewed_by}
    if article.sources:
        page["citation"] = [_citation(source) for source in article.sources]
    # The FAQ's translation is an FAQ page too (its questions end in "?" as well).
    original = article.translation_of if article.translation_of_id else article
    if original.slug == FAQ_SLUG:
        questions = faq_entries(article)
        if questions:
            page["@type"] = ["MedicalWebPage", "FAQPage"]
            page["mainEntity"] = [
                {
                    "@type": "Question",
                    "name": question,
                    "acceptedAnswer": {"@type": "Answer", "text": answer},
                }
                for question, answer in questions
            ]
    return page


def faq_entries(article) -> list[tuple[str, str]]:
    """(question, answer) pairs: each h2 ending in '?' and the plain text below it."""
    sections = _Sections()
    sections.feed(article.body_html)
    sections.close()
    return [
        (title, answer) for title, answer in sections.result() if title.endswith("?") and answer
    ]


def _citation(source: dict) -> dict:
    """One entry of the article's numbered "Sources" list, as schema.org CreativeWork."""
    work = {"@type": "CreativeWork", "name": source["title"], "url": source["url"]}
    if source.get("publisher"):
        work["publisher"] = {"@type": "Organization", "name": source["publisher"]}
    if source.get("year"):
        work["datePublished"] = str(source["year"])
    return work


def _language_tag(language: str) -> str:
    """A page language as a BCP 47 tag for US readers ("en-US", "es-US")."""
    return f"{language}-US"


def _clinic(request) -> dict:
    home = request.build_absolute_uri(reverse("home"))
    return {
        "@type": "MedicalClinic",
        "@id": f"{home}#clinic",
        "name": settings.CLINIC_NAME,
        "url": home,
        "telephone": settings.CLINIC_PHONE,
        "email": settings.CLINIC_EMAIL,
        "address": settings.CLINIC_ADDRESS,
        "availableService": {"@type": "MedicalTherapy", "name": "Ketamine infusion"},
    }


def _breadcrumbs(request, trail: list[tuple[str, str]]) -> dict:
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": request.build_absolute_uri(path),
            }
            for position, (name, path) in enumerate(trail, start=1)
        ],
    }


_BLOCKS = {"p", "li", "dd", "dt", "h3", "h4", "h5", "h6", "td", "th", "blockquote", "pre"}


class _Sections(HTMLParser):
    """Split sanitised article HTML into (h2 text, plain text up to the next h2)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self._sections: list[tuple[list[str], list[str]]] = []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self._in_h2 = True
            self._sections.append(([], []))

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False
        elif tag in _BLOCKS and self._sections:
            self._sections[-1][1].append(" ")  # "</p><p>" must not glue two words

    def handle_data(self, data):
        if not self._sections:
            return  # the introduction, before the first question
        title, body = self._sections[-1]
        (title if self._in_h2 else body).append(data)

    def result(self) -> list[tuple[str, str]]:
        return [(_squash(title), _squash(body)) for title, body in self._sections]


def _squash(parts: list[str]) -> str:
    return " ".join("".join(parts).split())
