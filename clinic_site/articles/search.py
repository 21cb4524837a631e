"""Search across published articles.

Each language searches its own articles. On PostgreSQL: full-text search with that
language's stemming ('english' or 'spanish', which also matches words typed without
their accents), ranked by SearchRank with the title weighted above the summary and the
body, and highlighted by SearchHeadline. Elsewhere (SQLite): every word must appear,
ignoring case and accents ("depresion" finds "depresión"); the score counts where each
word appears (title 3, summary 2, body 1), and the highlight is done here, on escaped
text.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from clinic_site.core.languages import Language

from .models import Article

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8
MAX_RESULTS = 20
SNIPPET_WORDS = 30
# PostgreSQL's text-search configuration for each article language.
TEXT_SEARCH_CONFIG = {Language.ENGLISH: "english", Language.SPANISH: "spanish"}


@dataclass
class Result:
    article: Article
    title: SafeString
    snippet: SafeString


def clean_query(raw: str) -> str:
    """Letters, digits, spaces and hyphens only, bounded; '' when nothing is left."""
    text = re.sub(r"[^\w\s-]", " ", (raw or "")[:MAX_QUERY_LENGTH])
    return " ".join(text.split()[:MAX_WORDS])


def search_articles(raw_query: str, *, language: str = Language.ENGLISH) -> list[Result]:
    query = clean_query(raw_query)
    if not query:
        return []
    articles = Article.objects.published().in_language(language)
    if connection.vendor == "postgresql":
        return _postgres(query, articles, TEXT_SEARCH_CONFIG[language])
    return _portable(query, articles)


def _postgres(query: str, articles, config: str) -> list[Result]:
    from django.contrib.postgres.search import (
        SearchHeadline,
        SearchQuery,
        SearchRank,
        SearchVector,
    )

    vector = (
        SearchVector("title", weight="A", config=config)
        + SearchVector("summary", weight="B", config=config)
        + SearchVector("body_text", weight="C", config=config)
    )
    search_query = SearchQuery(query, search_type="websearch", config=config)
    options = {"start_sel": "<mark>", "stop_sel": "</mark>", "config": config}
    rows = (
        # Matching is the text-search match itself: ts_rank is not 0 for every text that
        # fails to match (it answered "parking garage hours 100" with an unrelated page).
        articles.annotate(document=vector, rank=SearchRank(vector, search_query))
        .filter(document=search_query)
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


def fold(text: str) -> str:
    """Lower case without accents: "Depresión" -> "depresion" (one character per
    character, so positions in the folded text are positions in the original)."""
    return "".join(_fold_char(char) for char in text)


def _fold_char(char: str) -> str:
    base = unicodedata.normalize("NFD", char)[0].casefold()
    return base if len(base) == 1 else char.lower()[:1] or char


def _portable(query: str, articles) -> list[Result]:
    words = [fold(word) for word in query.split() if len(word) > 1] or [fold(query)]
    # SQLite's LIKE folds neither accents nor non-ASCII case, so the (few) articles of
    # the language are matched here.
    scored = []
    for article in articles.only("title", "slug", "summary", "body_text", "topic", "language"):
        title, summary, body = fold(article.title), fold(article.summary), fold(article.body_text)
        if not all(w in title or w in summary or w in body for w in words):
            continue
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
    folded = fold(text)
    positions = [folded.find(word) for word in words if word in folded]
    if not positions:
        return article.summary
    start = max(0, min(positions) - 80)
    snippet_words = text[start:].split()[:SNIPPET_WORDS]
    return ("… " if start else "") + " ".join(snippet_words) + " …"


def _highlight(text: str, words: list[str]) -> SafeString:
    pattern = re.compile("|".join(re.escape(word) for word in words))
    out, last = [], 0
    # Matched in the folded text, marked in the original (same positions).
    for match in pattern.finditer(fold(text)):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(text[match.start() : match.end()])}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - built from escaped pieces only
