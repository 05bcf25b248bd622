"""Day and timestamp arithmetic on plain integers.

The generator works on whole days since 1970-01-01 (``int64``) and on seconds since
1970-01-01 00:00:00 local time (``int64``), so that vectorised arithmetic stays exact and no
time zone or wall clock can leak in. ``NULL_DAY`` / ``NULL_TS`` mark an empty value.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np

NULL_DAY = -10_000_000
NULL_TS = -(10**15)
SECONDS_PER_DAY = 86_400
_ORDINAL_1970 = dt.date(1970, 1, 1).toordinal()


@lru_cache(maxsize=65_536)
def day_of(year: int, month: int = 1, day: int = 1) -> int:
    """Days since 1970-01-01 of a calendar date."""
    return dt.date(year, month, day).toordinal() - _ORDINAL_1970


def date_of(days: int) -> dt.date:
    """The calendar date of a day number."""
    return dt.date.fromordinal(int(days) + _ORDINAL_1970)


def years_of(days: np.ndarray) -> np.ndarray:
    """Calendar year of each day number."""
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def months_of(days: np.ndarray) -> np.ndarray:
    """Month index (year * 12 + month - 1) of each day number."""
    m = np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return m + 1970 * 12


def month_start(month_index: np.ndarray) -> np.ndarray:
    """First day (day number) of each month index (year * 12 + month - 1)."""
    m = np.asarray(month_index, dtype=np.int64) - 1970 * 12
    return m.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def year_start(years: np.ndarray) -> np.ndarray:
    """Day number of 1 January of each year."""
    y = np.asarray(years, dtype=np.int64) - 1970
    return y.astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)


def age_on(birth_days: np.ndarray, on_days: np.ndarray) -> np.ndarray:
    """Age in whole years on a day (someone born on that calendar day has had the birthday)."""
    b = np.asarray(birth_days).astype("datetime64[D]")
    o = np.asarray(on_days).astype("datetime64[D]")
    by = b.astype("datetime64[Y]").astype(np.int64)
    oy = o.astype("datetime64[Y]").astype(np.int64)
    # Compare month/day, not day-of-year, so leap years do not shift birthdays.
    bm = b.astype("datetime64[M]").astype(np.int64) % 12
    om = o.astype("datetime64[M]").astype(np.int64) % 12
    bd = (b - b.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    od = (o - o.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    had_birthday = (om > bm) | ((om == bm) & (od >= bd))
    return oy - by - 1 + had_birthday.astype(np.int64)


def ts_of_day(days: np.ndarray, seconds: np.ndarray | int = 0) -> np.ndarray:
    """Timestamp (seconds) of a day number plus seconds into the day."""
    return np.asarray(days, dtype=np.int64) * SECONDS_PER_DAY + np.asarray(seconds, dtype=np.int64)


def day_of_ts(ts: np.ndarray) -> np.ndarray:
    """Day number of each timestamp."""
    return np.floor_divide(np.asarray(ts, dtype=np.int64), SECONDS_PER_DAY)
