"""The first-response target, counted in the clinic's opening hours.

A request that arrives on Friday at 16:00 with an 8-hour target is due on Monday at
15:00 when the clinic opens Monday to Friday, 09:00 to 17:00 (CLINIC_OPENING_HOURS):
nobody is "late" over a weekend. With CLINIC_OPENING_HOURS empty, hours are clock hours.
Times are the clinic's (TIME_ZONE); opening hours never cross midnight.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.utils import timezone

DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SPEC = re.compile(
    r"^\s*(?P<days>[a-z]{3}(?:\s*[-,]\s*[a-z]{3})*)\s+"
    r"(?P<opens>\d{1,2}:\d{2})\s*-\s*(?P<closes>\d{1,2}:\d{2})\s*$"
)
# Far enough to cross any holiday gap; a spec with no open day never gets here.
_MAX_DAYS = 366


@dataclass(frozen=True)
class OpeningHours:
    days: frozenset[int]  # 0 is Monday
    opens: time
    closes: time

    @classmethod
    def parse(cls, spec: str) -> "OpeningHours":
        """ "mon-fri 09:00-17:00", "mon,wed,fri 08:30-12:00"; ValueError if not like that."""
        match = SPEC.match(spec.lower())
        if not match:
            raise ValueError(f"not opening hours like 'mon-fri 09:00-17:00': {spec!r}")
        days = set()
        for part in re.split(r"\s*,\s*", match["days"]):
            first, _, last = (name.strip() for name in part.partition("-"))
            if first not in DAY_NAMES or (last and last not in DAY_NAMES):
                raise ValueError(f"unknown day in {spec!r}: use mon, tue, ... sun")
            start, end = DAY_NAMES.index(first), DAY_NAMES.index(last or first)
            if start <= end:
                days.update(range(start, end + 1))
            else:  # "fri-mon" wraps round the weekend
                days.update([*range(start, 7), *range(end + 1)])
        opens = time.fromisoformat(f"{match['opens']:0>5}")
        closes = time.fromisoformat(f"{match['closes']:0>5}")
        if opens >= closes:
            raise ValueError(f"opening must come before closing in {spec!r}")
        return cls(frozenset(days), opens, closes)

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        if day.weekday() not in self.days:
            return None
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(day, self.opens, tzinfo=zone),
            datetime.combine(day, self.closes, tzinfo=zone),
        )

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` falls inside the opening hours."""
        at = timezone.localtime(at)
        window = self._window(at.date())
        return window is not None and window[0] <= at < window[1]

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment ``duration`` of opening time after ``start``."""
        remaining = duration
        for begin, end in self._open_stretches(start, forward=True):
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
        raise AssertionError("unreachable: _open_stretches ends by raising")

    def subtract(self, end: datetime, duration: timedelta) -> datetime:
        """The moment ``duration`` of opening time before ``end``."""
        remaining = duration
        for begin, finish in self._open_stretches(end, forward=False):
            if remaining <= finish - begin:
                return finish - remaining
            remaining -= finish - begin
        raise AssertionError("unreachable: _open_stretches ends by raising")

    def _open_stretches(self, moment: datetime, *, forward: bool):
        """The stretches of opening time after ``moment`` (or before it, going back), the
        nearest first, each as (begin, end); ValueError past two years of them."""
        cursor = timezone.localtime(moment)
        day = cursor.date()
        step = timedelta(days=1 if forward else -1)
        for _ in range(_MAX_DAYS * 2):
            window = self._window(day)
            if window:
                begin, end = window
                if forward:
                    begin = max(cursor, begin)
                else:
                    end = min(cursor, end)
                if begin < end:
                    yield begin, end
            day += step
        raise ValueError("no opening hours within two years")


@lru_cache(maxsize=8)
def parse(spec: str) -> OpeningHours | None:
    return OpeningHours.parse(spec) if spec.strip() else None
