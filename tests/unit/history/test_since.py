"""history --since: ISO times, spans back from now, today and yesterday (UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cecap.history.since import parse_since

# 01:30 in UTC+2 is 23:30 UTC the day before: "today" is the UTC day.
NOW = datetime(2010, 3, 24, 1, 30, 15, tzinfo=timezone(timedelta(hours=2)))


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("today", datetime(2010, 3, 23, tzinfo=UTC)),
        (" Yesterday ", datetime(2010, 3, 22, tzinfo=UTC)),
        ("30m", datetime(2010, 3, 23, 23, 0, 15, tzinfo=UTC)),
        ("24h", datetime(2010, 3, 22, 23, 30, 15, tzinfo=UTC)),
        ("7d", datetime(2010, 3, 16, 23, 30, 15, tzinfo=UTC)),
        ("0h", datetime(2010, 3, 23, 23, 30, 15, tzinfo=UTC)),
        ("2010-03-01", datetime(2010, 3, 1, tzinfo=UTC)),
        ("2010-03-01T12:00", datetime(2010, 3, 1, 12, tzinfo=UTC)),
        ("2010-03-01T12:00Z", datetime(2010, 3, 1, 12, tzinfo=UTC)),
        ("2010-03-01T12:00+01:00", datetime(2010, 3, 1, 11, tzinfo=UTC)),
    ],
)
def test_forms(text: str, moment: datetime) -> None:
    assert parse_since(text, NOW) == moment


FORMS = (
    "(forms: 2010-03-24, 2010-03-24T12:00, 2010-03-24T12:00+01:00, 30m, 24h, 7d, today, yesterday)"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("last week", f"'last week' is not a time cecap knows {FORMS}"),
        ("7w", f"'7w' is not a time cecap knows {FORMS}"),
        ("-7d", f"'-7d' is not a time cecap knows {FORMS}"),
        ("", f"'' is not a time cecap knows {FORMS}"),
        ("9" * 5000 + "d", f"'{'9' * 5000}d' is not a time cecap knows {FORMS}"),
        (
            "999999999999d",
            "'999999999999d' is outside the dates cecap can compare (years 1 to 9999 in UTC)",
        ),
        ("800000d", "'800000d' is outside the dates cecap can compare (years 1 to 9999 in UTC)"),
        (
            "0001-01-01T00:00+01:00",
            "'0001-01-01T00:00+01:00' is outside the dates cecap can compare (years 1 to 9999"
            " in UTC)",
        ),
    ],
)
def test_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_since(text, NOW)
    assert str(refused.value) == message
