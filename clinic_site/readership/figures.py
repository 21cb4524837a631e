"""The readership page's figures, from the counts (models.py) and what the feature apps
tell this app about their own data.

This app imports no feature app. Articles register which public pages are articles,
with their titles and readers' "was this helpful?" answers (``register_articles``);
intake registers when contact requests sent from an article's link arrived, and from
which article (``register_contacts``). Everything is in whole weeks starting Monday,
in the clinic's time zone.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import get_language_info

from .models import SEARCH_KEEP_DAYS, ExcludedHits, PageViews, UnansweredSearch

WEEKS = 12
# A search that found nothing is shown once it was searched on this many different days.
SEARCH_MIN_DAYS = 3
TOP_REFERRERS = 20
TOP_OTHER_PAGES = 10


@dataclass(frozen=True)
class ArticleInfo:
    """A public article as the articles app describes it."""

    path: str
    slug: str
    title: str
    language: str
    helpful_yes: int
    helpful_no: int


def _no_articles() -> Iterable[ArticleInfo]:
    return []


def _no_contacts(since: datetime) -> Iterable[tuple[datetime, str]]:
    return []


_articles: Callable[[], Iterable[ArticleInfo]] = _no_articles
_contacts: Callable[[datetime], Iterable[tuple[datetime, str]]] = _no_contacts


def register_articles(provider: Callable[[], Iterable[ArticleInfo]]) -> None:
    """The published articles, as ArticleInfo (called when the page is drawn)."""
    global _articles
    _articles = provider


def register_contacts(provider: Callable[[datetime], Iterable[tuple[datetime, str]]]) -> None:
    """(received at, article slug) for each contact request sent from an article's link
    since the given moment."""
    global _contacts
    _contacts = provider


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class Week:
    start: date
    views: dict[str, int] = field(default_factory=dict)
    contacts: int = 0

    @property
    def short_label(self) -> str:
        return self.start.strftime("%d %b")


@dataclass
class ArticleRow:
    info: ArticleInfo
    views: int
    contacts: int


@dataclass
class Figures:
    first_day: date
    weeks: list[Week]
    articles: dict[str, list[ArticleRow]]
    other_pages: dict[str, list[tuple[str, int]]]
    referrers: list[dict]
    searches: dict[str, list[dict]]
    contact_articles: list[ArticleRow]
    contacts_from_unknown: int
    excluded: dict[str, int]
    languages: list[tuple[str, str]]

    @property
    def by_language(self) -> list[dict]:
        """Each language's own tables, in settings.LANGUAGES order (for the page)."""
        return [
            {
                "code": code,
                "name": name,
                "articles": self.articles.get(code, []),
                "searches": self.searches.get(code, []),
                "other_pages": self.other_pages.get(code, []),
            }
            for code, name in self.languages
        ]

    @property
    def weekly_rows(self) -> list[tuple[Week, list[int]]]:
        return [(week, [week.views[code] for code, _ in self.languages]) for week in self.weeks]

    @property
    def referrer_rows(self) -> list[tuple[str, list[int], int]]:
        return [
            (row["referrer"], [row[code] for code, _ in self.languages], row["total"])
            for row in self.referrers
        ]

    @property
    def excluded_rows(self) -> list[tuple[str, int]]:
        return [(label.lower(), self.excluded[kind]) for kind, label in ExcludedHits.Kind.choices]


def readership_figures(*, today: date | None = None, weeks: int = WEEKS) -> Figures:
    today = today or timezone.localdate()
    first = week_start(today) - timedelta(weeks=weeks - 1)
    # Named in English for staff ("Spanish", not "Español").
    languages = [(code, get_language_info(code)["name"]) for code, _ in settings.LANGUAGES]
    codes = [code for code, _ in languages]
    week_list = [Week(first + timedelta(weeks=n), dict.fromkeys(codes, 0)) for n in range(weeks)]
    by_start = {week.start: week for week in week_list}

    views = PageViews.objects.filter(day__gte=first, day__lte=today)
    for row in views.values("day", "language").annotate(total=Sum("count")):
        week = by_start.get(week_start(row["day"]))
        if week is not None and row["language"] in week.views:
            week.views[row["language"]] += row["total"]

    page_views = Counter()
    for row in views.values("path", "language").annotate(total=Sum("count")):
        page_views[(row["path"], row["language"])] += row["total"]

    since = timezone.make_aware(datetime.combine(first, time.min))
    contacts_by_slug = Counter()
    for received_at, slug in _contacts(since):
        week = by_start.get(week_start(timezone.localtime(received_at).date()))
        if week is not None:
            week.contacts += 1
            contacts_by_slug[slug] += 1

    articles = {code: [] for code in codes}
    article_paths = set()
    known_slugs = set()
    for info in _articles():
        article_paths.add((info.path, info.language))
        known_slugs.add(info.slug)
        row = ArticleRow(info, page_views[(info.path, info.language)], contacts_by_slug[info.slug])
        articles.setdefault(info.language, []).append(row)
    for rows in articles.values():
        rows.sort(key=lambda row: (-row.views, row.info.title))

    other_pages = defaultdict(list)
    for (path, language), total in page_views.most_common():
        if (path, language) not in article_paths and len(other_pages[language]) < TOP_OTHER_PAGES:
            other_pages[language].append((path, total))

    referrers = list(
        views.exclude(referrer="")
        .values("referrer")
        .annotate(
            total=Sum("count"),
            **{code: Sum("count", filter=Q(language=code), default=0) for code in codes},
        )
        .order_by("-total", "referrer")[:TOP_REFERRERS]
    )

    excluded = {kind: 0 for kind in ExcludedHits.Kind.values}
    for row in (
        ExcludedHits.objects.filter(day__gte=first).values("kind").annotate(total=Sum("count"))
    ):
        excluded[row["kind"]] = row["total"]

    contact_articles = sorted(
        (row for rows in articles.values() for row in rows if row.contacts),
        key=lambda row: (-row.contacts, row.info.title),
    )
    return Figures(
        first_day=first,
        weeks=week_list,
        articles=articles,
        other_pages=dict(other_pages),
        referrers=referrers,
        searches=unanswered_searches(today=today),
        contact_articles=contact_articles,
        contacts_from_unknown=sum(
            count for slug, count in contacts_by_slug.items() if slug not in known_slugs
        ),
        excluded=excluded,
        languages=languages,
    )


def unanswered_searches(*, today: date | None = None) -> dict[str, list[dict]]:
    """Per language, the terms that found nothing on at least SEARCH_MIN_DAYS days."""
    today = today or timezone.localdate()
    rows = (
        UnansweredSearch.objects.filter(day__gt=today - timedelta(days=SEARCH_KEEP_DAYS))
        .values("language", "term")
        .annotate(days=Count("day", distinct=True), searches=Sum("count"), last=Max("day"))
        .filter(days__gte=SEARCH_MIN_DAYS)
        .order_by("-days", "-searches", "term")
    )
    grouped = {code: [] for code, _ in settings.LANGUAGES}
    for row in rows:
        grouped.setdefault(row["language"], []).append(row)
    return grouped


def csv_rows(figures: Figures) -> Iterable[list]:
    """Every figure on the page as rows: figure, week starting, language, item, count."""
    yield ["figure", "week starting", "language", "item", "count"]
    for week in figures.weeks:
        for code, _ in figures.languages:
            yield ["views per week", week.start.isoformat(), code, "", week.views[code]]
    for week in figures.weeks:
        yield ["contact requests from an article", week.start.isoformat(), "", "", week.contacts]
    since = figures.first_day.isoformat()
    for code, rows in figures.articles.items():
        for row in rows:
            item = row.info.path
            yield ["article views", since, code, item, row.views]
            yield ["article helpful yes", "", code, item, row.info.helpful_yes]
            yield ["article helpful no", "", code, item, row.info.helpful_no]
            yield ["contact requests from article", since, code, item, row.contacts]
    for code, pages in figures.other_pages.items():
        for path, total in pages:
            yield ["other page views", since, code, path, total]
    for referrer in figures.referrers:
        for code, _ in figures.languages:
            yield ["views from referring site", since, code, referrer["referrer"], referrer[code]]
    for code, rows in figures.searches.items():
        for row in rows:
            yield ["searches that found nothing", "", code, row["term"], row["searches"]]
    for kind, total in figures.excluded.items():
        yield ["requests not counted", since, "", kind, total]
