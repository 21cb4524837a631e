"""Page views are counted without anything about the reader: the page, its language, the
day and the referring site only; cached pages too; robots, link previews and staff not."""

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from clinic_site.readership import counting
from clinic_site.readership.models import ExcludedHits, PageViews, UnansweredSearch
from clinic_site.readership.retention import purge_old_figures
from tests.factories import make_article, make_staff
from tests.helpers import force_login_verified

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
# A Tuesday in the clinic's time zone (America/New_York), away from any DST change.
NOON = "2026-03-03 17:00:00+00:00"


def views():
    counting.flush()
    return list(PageViews.objects.values_list("day", "path", "language", "referrer", "count"))


@time_machine.travel(NOON, tick=False)
def test_each_view_of_a_cached_article_counts_once_with_its_language_day_and_site(client):
    make_article(slug="dose", title="Dose")
    for _ in range(3):  # the first is built, the other two are answered from the page cache
        response = client.get(
            "/articles/dose/",
            headers={"user-agent": BROWSER, "referer": "https://www.search.example/?q=ketamine"},
        )
        assert response.status_code == 200
    client.get("/articles/dose/", headers={"user-agent": BROWSER})

    day = timezone.localdate()
    assert sorted(views()) == [
        (day, "/articles/dose/", "en", "", 1),
        (day, "/articles/dose/", "en", "www.search.example", 3),
    ]


@time_machine.travel(NOON, tick=False)
def test_spanish_pages_count_as_spanish_and_a_link_within_the_site_names_no_site(client):
    client.get("/es/", headers={"user-agent": BROWSER, "referer": "http://testserver/articles/"})

    assert views() == [(timezone.localdate(), "/es/", "es", "", 1)]


def test_the_query_string_is_never_stored(client):
    client.get("/articles/search/?q=my+name+is+ana", headers={"user-agent": BROWSER})

    assert [path for _, path, *_ in views()] == ["/articles/search/"]


@pytest.mark.parametrize(
    ("user_agent", "kind"),
    [
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "robot"),
        ("curl/8.5.0", "robot"),
        ("", "robot"),
        ("Mozilla/5.0 HeadlessChrome/120.0.0.0 Safari/537.36", "robot"),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "preview"),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "preview"),
        ("WhatsApp/2.23.20.0", "preview"),
    ],
)
def test_a_robot_or_link_preview_adds_nothing_and_is_counted_as_excluded(client, user_agent, kind):
    make_article(slug="dose")
    client.get("/articles/dose/", headers={"user-agent": user_agent})

    assert views() == []
    assert list(ExcludedHits.objects.values_list("kind", "count")) == [(kind, 1)]


def test_a_browser_prefetch_is_not_a_view(client):
    client.get("/", headers={"user-agent": BROWSER, "sec-purpose": "prefetch"})

    assert views() == []
    assert ExcludedHits.objects.get().kind == ExcludedHits.Kind.PREVIEW


def test_a_staff_view_adds_nothing(client):
    make_article(slug="dose")
    user, _ = make_staff("editor", superuser=True)
    force_login_verified(client, user)

    assert client.get("/articles/dose/", headers={"user-agent": BROWSER}).status_code == 200
    assert client.get("/", headers={"user-agent": BROWSER}).status_code == 200

    assert views() == []
    assert not ExcludedHits.objects.exists()


def test_staff_pages_errors_and_files_are_not_page_views(client):
    for path in ("/admin/login/", "/no-such-page/", "/robots.txt", "/sitemap.xml", "/healthz"):
        client.get(path, headers={"user-agent": BROWSER})

    assert views() == []


def test_counting_off_counts_nothing(client):
    with override_settings(READERSHIP_COUNTING=False):
        client.get("/", headers={"user-agent": BROWSER})

    assert views() == []


def test_counts_flushed_twice_add_up(client):
    # Two flushes of the same row (as from two workers) add, never overwrite.
    for _ in range(2):
        client.get("/", headers={"user-agent": BROWSER})
        counting.flush()
    client.get("/", headers={"user-agent": BROWSER})

    assert [count for *_, count in views()] == [3]


def test_stored_figures_hold_no_address_browser_or_session(client):
    make_article(slug="dose")
    secrets = ["203.0.113.77", "198.51.100.23", "UniqueBrowser/9.9", "sessionkeyabc123xyz"]
    client.cookies[settings.SESSION_COOKIE_NAME] = "sessionkeyabc123xyz"
    for path in ("/", "/articles/dose/", "/articles/search/?q=nothing+here+zebra"):
        client.get(
            path,
            REMOTE_ADDR="203.0.113.77",
            headers={
                "user-agent": f"Mozilla/5.0 (X11) Firefox/128.0 {secrets[2]}",
                "x-forwarded-for": "198.51.100.23",
                "referer": "https://news.example/item?id=77",
            },
        )
    counting.flush()

    stored = [
        str(row)
        for model in (PageViews, ExcludedHits, UnansweredSearch)
        for row in model.objects.values_list()
    ]
    assert len(stored) >= 3, "the requests above were counted"
    assert not [row for row in stored for secret in secrets if secret in row]
    assert not [row for row in stored if "77" in row or "item" in row]


@override_settings(READERSHIP_KEEP_DAYS=30)
@time_machine.travel(NOON, tick=False)
def test_figures_older_than_the_keeping_time_are_purged():
    today = timezone.localdate()
    for age in (0, 29, 30, 400):
        day = today - timezone.timedelta(days=age)
        PageViews.objects.add(1, day=day, path="/", language="en", referrer="")
        ExcludedHits.objects.add(1, day=day, kind="robot")
        UnansweredSearch.objects.add(1, day=day, language="en", term="spravato")

    purge_old_figures()

    kept = sorted((today - day).days for day in PageViews.objects.values_list("day", flat=True))
    assert kept == [0, 29]
    assert sorted((today - row.day).days for row in ExcludedHits.objects.all()) == [0, 29]
    # Searches: 90 days at most, whatever READERSHIP_KEEP_DAYS says.
    assert sorted((today - row.day).days for row in UnansweredSearch.objects.all()) == [0, 29, 30]


def test_the_purge_is_a_registered_daily_job():
    from datetime import timedelta

    from clinic_site.core import periodic

    jobs = {job.name: job for job in periodic.registered()}
    assert jobs["readership.purge_old_figures"].every == timedelta(days=1)


@pytest.mark.parametrize(
    "last_second",
    [
        "2026-03-07 23:59:59",  # the night before clocks go forward (New York)
        "2026-10-31 23:59:59",  # the night before they go back
        "2026-12-31 23:59:59",  # New Year's Eve
        "2028-02-28 23:59:59",  # before a 29 February
    ],
)
def test_a_view_after_midnight_counts_for_the_new_day(client, last_second):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    before = datetime.fromisoformat(last_second).replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(before, tick=False) as traveller:
        client.get("/", headers={"user-agent": BROWSER})
        traveller.shift(2)
        client.get("/", headers={"user-agent": BROWSER})

    days = sorted(day for day, *_ in views())
    assert [day.isoformat() for day in days] == [
        before.date().isoformat(),
        (before.date() + timezone.timedelta(days=1)).isoformat(),
    ]
