"""Search across published articles.

On PostgreSQL: full-text search (English stemming), ranked by SearchRank with the
title weighted above the summary and the body, and highlighted by SearchHeadline.
Elsewhere (SQLite): every word must appear; the score counts where each word appears
(title 3, summary 2, body 1), and the highlight is done here, on escaped text.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Article

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8
MAX_RESULTS = 20
SNIPPET_WORDS = 30


@dataclass
class Result:
    article: Article
    title: SafeString
    snippet: SafeString


def clean_query(raw: str) -> str:
    """Letters, digits, spaces and hyphens only, bounded; '' when nothing is left."""
    text = re.sub(r"[^\w\s-]", " ", (raw or "")[:MAX_QUERY_LENGTH])
    return " ".join(text.split()[:MAX_WORDS])


def search_articles(raw_query: str) -> list[Result]:
    query = clean_query(raw_query)
    if not query:
        return []
    if connection.vendor == "postgresql":
        return _postgres(query)
    return _portable(query)


def _postgres(query: str) -> list[Result]:
    from django.contrib.postgres.search import (
        SearchHeadline,
        SearchQuery,
        SearchRank,
        SearchVector,
    )

    vector = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("body_text", weight="C", config="english")
    )
    search_query = SearchQuery(query, search_type="websearch", config="english")
    options = {"start_sel": "<mark>", "stop_sel": "</mark>", "config": "english"}
    rows = (
        Article.objects.published()
        .annotate(rank=SearchRank(vector, search_query))
        .filter(rank__gt=0)
        .annotate(
            title_hl=SearchHeadline("title", search_query, highlight_all=True, **options),
            snippet_hl=SearchHeadline(
                "body_text", search_query, max_words=SNIPPET_WORDS, min_words=15, **options
            ),
        )
        .order_by("-rank", "title")[:MAX_RESULTS]
    )
    return [Result(row, _only_marks(row.title_hl), _only_marks(row.snippet_hl)) for row in rows]


def _only_marks(fragment: str) -> SafeString:
    # SearchHeadline returns the stored text with <mark> added; escape everything else.
    parts = re.split(r"(</?mark>)", fragment or "")
    return mark_safe(  # noqa: S308 - every part but our own <mark> tags is escaped
        "".join(part if part in ("<mark>", "</mark>") else escape(part) for part in parts)
    )


def _portable(query: str) -> list[Result]:
    words = [word.lower() for word in query.split() if len(word) > 1] or [query.lower()]
    candidates = Article.objects.published()
    for word in words:
        candidates = candidates.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body_text__icontains=word)
        )
    scored = []
    for article in candidates.only("title", "slug", "summary", "body_text", "topic"):
        title, summary, body = (
            article.title.lower(),
            article.summary.lower(),
            article.body_text.lower(),
        )
        score = sum(3 * (w in title) + 2 * (w in summary) + min(body.count(w), 5) for w in words)
        scored.append((score, article))
    scored.sort(key=lambda pair: (-pair[0], pair[1].title))
    return [
        Result(
            article, _highlight(article.title, words), _highlight(_snippet(article, words), words)
        )
        for _, article in scored[:MAX_RESULTS]
    ]


def _snippet(article: Article, words: list[str]) -> str:
    text = article.body_text
    positions = [text.lower().find(word) for word in words if word in text.lower()]
    if not positions:
        return article.summary
    start = max(0, min(positions) - 80)
    snippet_words = text[start:].split()[:SNIPPET_WORDS]
    return ("… " if start else "") + " ".join(snippet_words) + " …"


def _highlight(text: str, words: list[str]) -> SafeString:
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - built from escaped pieces only
