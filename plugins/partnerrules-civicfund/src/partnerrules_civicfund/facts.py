"""Fact preparation: ``partnership.age_months`` from ``partnership.formed_on``.

Civic Fund's continuation grants go to partnerships that have worked together for a
minimum number of months. Partnerships record when they were formed; this module works
out their age in whole months, as of the date the Fund assesses them (the ``as_of``
setting, so that a funding round is judged on one date however long it takes to run) or
today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Final

__all__ = ["as_of_date", "months_between", "parse_date", "with_age_months"]

#: Words that mean "not recorded" where a fact value is expected.
_UNKNOWN: Final = frozenset({"unknown"})


def parse_date(value: object) -> dt.date | None:
    """Return a date from a TOML date or datetime or ISO text (``2025-04-01``), or ``None``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def months_between(start: dt.date, end: dt.date) -> int:
    """Return the whole months from ``start`` to ``end`` (a month is complete on the day
    of the month it started: 15 January to 14 March is 1 month, to 15 March 2)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


def _recorded(value: object) -> bool:
    if value is None:
        return False
    return not (isinstance(value, str) and value.strip().casefold() in _UNKNOWN)


def as_of_date(as_of: object) -> dt.date:
    """Return the assessment date: the ``as_of`` setting, or today when it is not set.

    :raises ValueError: when the setting is not a date or ISO date text
    """
    if as_of is None:
        return dt.date.today()
    day = parse_date(as_of)
    if day is None:
        raise ValueError(
            f"setting 'as_of' must be a date (YYYY-MM-DD, e.g. 2026-03-31), got {as_of!r}"
        )
    return day


def with_age_months(facts: Mapping[str, object], as_of: object = None) -> dict[str, object] | None:
    """Return the facts with ``partnership.age_months`` derived, or ``None`` to leave them.

    Nothing is derived when ``age_months`` was recorded (a recorded fact is never
    overwritten), when ``formed_on`` is missing or not a date, or when it is later than
    the assessment date. The facts are not modified: the result is a new mapping (its
    ``partnership`` table a new one too; every other value is shared).

    :raises ValueError: when ``as_of`` is given but is not a date
    """
    day = as_of_date(as_of)
    partnership = facts.get("partnership")
    if not isinstance(partnership, Mapping) or _recorded(partnership.get("age_months")):
        return None
    formed = parse_date(partnership.get("formed_on"))
    if formed is None or formed > day:
        return None
    return {**facts, "partnership": {**partnership, "age_months": months_between(formed, day)}}
