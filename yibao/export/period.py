"""Export periods: a year (``2024``) or a quarter (``2024Q3``)."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date

_PERIOD = re.compile(r"^(?P<year>\d{4})(?:Q(?P<quarter>[1-4]))?$")


@dataclass(frozen=True)
class Period:
    """A reporting period: a whole year, or one quarter of it."""

    label: str
    year: int
    quarter: int | None

    @property
    def first_month(self) -> int:
        """First month number (1–12) of the period."""
        return 1 if self.quarter is None else 3 * self.quarter - 2

    @property
    def last_month(self) -> int:
        """Last month number (1–12) of the period."""
        return 12 if self.quarter is None else 3 * self.quarter

    @property
    def start(self) -> date:
        """First day of the period."""
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        """Last day of the period."""
        return date(self.year, self.last_month, monthrange(self.year, self.last_month)[1])

    @property
    def period_type(self) -> str:
        """``year`` or ``quarter``, as in ``marts.mart_monitoring_indicator.period_type``."""
        return "year" if self.quarter is None else "quarter"


def parse_period(value: str) -> Period:
    """Parse ``YYYY`` or ``YYYYQn``; raise ValueError saying what is expected otherwise."""
    text = value.strip().upper()
    match = _PERIOD.match(text)
    if not match:
        raise ValueError(
            f"period {value!r} is not understood: give a year like 2024 or a quarter like "
            "2024Q3 (see `yibao export --help`)")
    quarter = match.group("quarter")
    return Period(label=text, year=int(match.group("year")),
                  quarter=int(quarter) if quarter else None)
