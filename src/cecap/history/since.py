"""When `history --since` starts: an ISO date or time, a span back from now, today, yesterday.

The history records UTC, and prints it: an ISO time without a zone is UTC, and ``today``
and ``yesterday`` start at 00:00 UTC, so that ``--since today`` and the times shown agree.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

SINCE_FORMS = "2010-03-24, 2010-03-24T12:00, 2010-03-24T12:00+01:00, 30m, 24h, 7d, today, yesterday"

_SPAN = re.compile(r"^(?P<count>\d{1,12})\s*(?P<unit>[mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
_DAYS_BACK = {"today": 0, "yesterday": 1}


def parse_since(text: str, now: datetime) -> datetime:
    """The moment ``text`` names, ``now`` being an aware time; ValueError saying the
    accepted forms, or that the moment is outside the dates cecap can compare."""
    spec = text.strip().lower()
    try:
        if spec in _DAYS_BACK:
            midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            return midnight - timedelta(days=_DAYS_BACK[spec])
        span = _SPAN.match(spec)
        if span:
            count = int(span["count"])
            return now.astimezone(UTC) - timedelta(**{_UNITS[span["unit"]]: count})
        moment = _iso(text)
        # Comparable with the history's UTC times: ValueError or OverflowError if not.
        moment.astimezone(UTC)
        return moment
    except OverflowError:
        raise ValueError(
            f"{text!r} is outside the dates cecap can compare (years 1 to 9999 in UTC)"
        ) from None


def _iso(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not a time cecap knows (forms: {SINCE_FORMS})") from None
    # Times without a zone are UTC, as the history records them.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
