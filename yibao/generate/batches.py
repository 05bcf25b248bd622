"""Cutting the final state into delivery batches.

The history batch ``<end_year>-12-29`` carries everything whose event date is on or before
``<end_year>-12-28``; the daily batches ``<end_year>-12-30``, ``<end_year>-12-31`` and
``<end_year+1>-01-01`` each carry the events of the day before. Rows whose state changes later
are delivered as they were known and re-delivered (same key) when they change: an admission
still open at a batch's cut-off has no ``endtime`` until the batch of its discharge, an
enrollment spell has no ``enddate`` (and status 1) until the batch of its end, a purchase has no
supplier payment until the batch of the payment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from yibao.generate.dates import NULL_DAY, NULL_TS, SECONDS_PER_DAY, date_of, day_of


@dataclass(frozen=True)
class BatchPlan:
    """Batch names and the last event day each one covers."""

    names: tuple[str, ...]
    last_days: tuple[int, ...]

    @classmethod
    def for_end_year(cls, end_year: int) -> BatchPlan:
        d1 = day_of(end_year, 12, 31)
        last_days = (d1 - 3, d1 - 2, d1 - 1, d1)
        names = tuple(date_of(d + 1).isoformat() for d in last_days)
        return cls(names=names, last_days=last_days)

    @property
    def cutoff(self) -> int:
        """Last event day of the history batch."""
        return self.last_days[0]

    def batch_of_day(self, days: np.ndarray) -> np.ndarray:
        """Batch number of each event day (-1: after the last batch)."""
        d = np.asarray(days, dtype=np.int64)
        b = np.searchsorted(np.array(self.last_days), d, side="left")
        return np.where(b >= len(self.last_days), -1, b)


def split_by_event(plan: BatchPlan, df: pd.DataFrame, day: np.ndarray) -> list[pd.DataFrame]:
    """Rows delivered once, in the batch of their event day."""
    b = plan.batch_of_day(day)
    return [df[b == k].reset_index(drop=True) for k in range(len(plan.names))]


def split_with_update(plan: BatchPlan, df: pd.DataFrame, first_day: np.ndarray,
                      change_day: np.ndarray, hide: dict[str, object]) -> list[pd.DataFrame]:
    """Rows delivered in the batch of ``first_day`` and again in the batch of ``change_day``.

    Until the change is delivered the columns in ``hide`` carry the given values (e.g. an
    empty ``endtime``); ``change_day`` may be ``NULL_DAY`` (no change).
    """
    first = plan.batch_of_day(first_day)
    has_change = np.asarray(change_day) != NULL_DAY
    change = np.where(has_change, plan.batch_of_day(np.where(has_change, change_day, 0)), -2)
    out = []
    for k in range(len(plan.names)):
        shown_late = (first == k) & has_change & ((change > k) | (change == -1))
        shown_final = ((first == k) & ~shown_late) | ((change == k) & (first < k) & (first >= 0))
        early = df[shown_late].copy()
        for col, value in hide.items():
            if isinstance(early[col].dtype, pd.Int64Dtype):
                early[col] = pd.array([pd.NA] * len(early), dtype="Int64")
            else:
                early[col] = value
        out.append(pd.concat([df[shown_final], early]).reset_index(drop=True))
    return out


def ts_day(ts: np.ndarray) -> np.ndarray:
    """Day number of timestamps (NULL_TS stays NULL_DAY)."""
    t = np.asarray(ts, dtype=np.int64)
    return np.where(t == NULL_TS, NULL_DAY, t // SECONDS_PER_DAY)
