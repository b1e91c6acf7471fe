"""Order numbers carry the day the customer saw, in the platform's timezone, not UTC's."""

from datetime import UTC, datetime

from django.test import override_settings

from o2o.orders.checkout import new_number


@override_settings(TIME_ZONE="Asia/Shanghai")
def test_number_is_dated_by_the_local_day_not_utc():
    # 23:30 UTC on 1 December is 07:30 on 2 December in Chengdu.
    assert new_number(at=datetime(2026, 12, 1, 23, 30, tzinfo=UTC)).startswith("O261202")
    # 15:59 UTC is still 23:59 the same day there.
    assert new_number(at=datetime(2026, 12, 1, 15, 59, tzinfo=UTC)).startswith("O261201")


@override_settings(TIME_ZONE="America/New_York")
def test_number_follows_the_configured_timezone():
    # 03:00 UTC on 2 December is 22:00 on 1 December in New York.
    number = new_number(at=datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
    assert number.startswith("O261201") and len(number) == 15 and number[1:].isdigit()
