"""Staff date-and-time fields accept every local time a clock shows, the nights the
clocks change included (core.fields.LocalSplitDateTimeField)."""

from datetime import UTC, date, datetime, time

import pytest
from django.utils import timezone

from clinic_site.core.fields import LocalSplitDateTimeField


@pytest.mark.parametrize(
    ("day", "clock", "meant"),
    [
        # 01:30 happens twice the night clocks go back: the first (EDT) is meant.
        (date(2027, 11, 7), time(1, 30), datetime(2027, 11, 7, 5, 30, tzinfo=UTC)),
        # 02:30 never happens the night they go forward: the clock shows 03:30 then.
        (date(2027, 3, 14), time(2, 30), datetime(2027, 3, 14, 7, 30, tzinfo=UTC)),
        (date(2028, 2, 29), time(9, 0), datetime(2028, 2, 29, 14, 0, tzinfo=UTC)),
    ],
)
def test_a_local_time_on_a_night_the_clocks_change_is_accepted(settings, day, clock, meant):
    settings.TIME_ZONE = "America/New_York"
    with timezone.override("America/New_York"):
        value = LocalSplitDateTimeField().clean([day, clock])

    assert value == meant


def test_an_empty_date_and_time_is_still_refused_when_required():
    with pytest.raises(Exception, match="required"):
        LocalSplitDateTimeField().clean(["", ""])
