"""A wave's schedule: when it opens and closes, and on which days reminders go.

``opens`` and ``closes`` are dates or ISO 8601 date-times. A time without an offset is
Oslo time (Europe/Oslo, summer time included); a date opens at 00:00 and closes at 24:00
of that day. ``reminders`` are whole days after ``opens``. Every moment is kept as an
aware :class:`datetime.datetime`, so comparisons never depend on the machine's zone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from ._problems import Problem, problem
from ._yaml import line_of

__all__ = ["OSLO", "parse_moment", "check_schedule", "build_schedule"]

#: The zone of every time in a study file that does not name its own offset.
OSLO = ZoneInfo("Europe/Oslo")


def parse_moment(value: object, *, end_of_day: bool = False) -> dt.datetime | None:
    """An aware date-time from a schedule value, or None when it is neither date nor date-time.

    A date alone means the start of that day in Oslo, or with ``end_of_day`` its end
    (24:00, that is 00:00 of the next day). A date-time without an offset is Oslo time.

    Examples
    --------
    >>> parse_moment("2026-03-01").isoformat()
    '2026-03-01T00:00:00+01:00'
    >>> parse_moment("2026-03-01", end_of_day=True).isoformat()
    '2026-03-02T00:00:00+01:00'
    >>> parse_moment("2026-07-01T09:30").isoformat()
    '2026-07-01T09:30:00+02:00'
    >>> parse_moment("2026-07-01T07:30:00Z").isoformat()
    '2026-07-01T07:30:00+00:00'
    >>> parse_moment("1 March") is None
    True
    """
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        return _day_start(value + dt.timedelta(days=1) if end_of_day else value)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) == 10:
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                return None
            return _day_start(day + dt.timedelta(days=1) if end_of_day else day)
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    return moment.replace(tzinfo=OSLO) if moment.tzinfo is None else moment


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=OSLO)


def check_schedule(path, raw: dict, line: int, wave_id: str) -> list[Problem]:
    """Problems with a wave's ``opens``, ``closes`` and ``reminders`` (each with its line)."""
    problems: list[Problem] = []
    opens = closes = None
    for key in ("opens", "closes"):
        if key in raw:
            moment = parse_moment(raw[key], end_of_day=key == "closes")
            if moment is None:
                problems.append(problem(path, line_of(raw, key, line), "bad-schedule", wave=wave_id, key=key,
                                        rule="must be a date (YYYY-MM-DD) or an ISO date-time "
                                             "(YYYY-MM-DDTHH:MM, Oslo time unless it names an offset)",
                                        value=raw[key]))
            elif key == "opens":
                opens = moment
            else:
                closes = moment
    if opens is not None and closes is not None and closes <= opens:
        problems.append(problem(path, line_of(raw, "closes", line), "bad-schedule", wave=wave_id, key="closes",
                                rule=f"must come after opens ({opens.isoformat()})", value=raw["closes"]))
    if "reminders" in raw:
        problems += _check_reminders(path, raw, line, wave_id, opens, closes)
    return problems


def _check_reminders(path, raw, line, wave_id, opens, closes) -> list[Problem]:
    days = raw["reminders"]
    where = line_of(raw, "reminders", line)
    if not isinstance(days, list):
        return [problem(path, where, "bad-schedule", wave=wave_id, key="reminders",
                        rule="must be a list of whole days after opens, such as [7, 14]", value=days)]
    problems = []
    if "opens" not in raw:
        problems.append(problem(path, where, "bad-schedule", wave=wave_id, key="reminders",
                                rule="need 'opens' (reminders are days after it)", value=days))
    previous = 0
    for i, day in enumerate(days):
        at = line_of(days, i, where)
        if not isinstance(day, int) or isinstance(day, bool) or day <= previous:
            problems.append(problem(path, at, "bad-schedule", wave=wave_id, key="reminders",
                                    rule="must be whole days ≥ 1 in increasing order", value=day))
            continue
        previous = day
        if opens is not None and closes is not None and opens + dt.timedelta(days=day) >= closes:
            problems.append(problem(path, at, "reminder-after-close", wave=wave_id, value=day,
                                    closes=closes.isoformat()))
    return problems


def build_schedule(raw: dict) -> tuple[dt.datetime | None, dt.datetime | None, tuple[int, ...]]:
    """``(opens, closes, reminders)`` of a checked wave."""
    opens = parse_moment(raw["opens"]) if "opens" in raw else None
    closes = parse_moment(raw["closes"], end_of_day=True) if "closes" in raw else None
    return opens, closes, tuple(int(d) for d in raw.get("reminders") or ())
