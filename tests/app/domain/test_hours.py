from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.hours import Window, covers, open_at, seed_weekday, zone_problem

PARIS = "Europe/Paris"
NEW_YORK = "America/New_York"
# Monday 2026-06-01 in Paris is UTC+2; 2026-03-29 (Sunday) is the spring-forward day, 2026-10-25 the fall-back one.
MON, TUE, SAT, SUN = 1, 2, 6, 0


def paris(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo(PARIS))


def test_weekdays_count_from_sunday() -> None:
    assert seed_weekday(datetime(2026, 5, 31).date()) == SUN
    assert seed_weekday(datetime(2026, 6, 1).date()) == MON
    assert seed_weekday(datetime(2026, 6, 6).date()) == SAT


def test_no_windows_is_unrestricted() -> None:
    assert covers([], PARIS, paris(1, 6, 3), paris(1, 6, 4))
    assert open_at([], PARIS, paris(1, 6, 3))


def test_a_day_window_in_local_time() -> None:
    monday = [Window(MON, time(9), time(17))]
    assert covers(monday, PARIS, paris(1, 6, 9), paris(1, 6, 17))
    assert not covers(monday, PARIS, paris(1, 6, 8, 59), paris(1, 6, 10))
    assert not covers(monday, PARIS, paris(1, 6, 16), paris(1, 6, 17, 1))
    # Same instant given in UTC: 07:00Z is 09:00 in Paris in June.
    assert covers(monday, PARIS, datetime(2026, 6, 1, 7, tzinfo=UTC), datetime(2026, 6, 1, 8, tzinfo=UTC))
    assert not covers(monday, "UTC", datetime(2026, 6, 1, 7, tzinfo=UTC), datetime(2026, 6, 1, 8, tzinfo=UTC))
    assert not covers(monday, PARIS, paris(2, 6, 10), paris(2, 6, 11))  # Tuesday


def test_overnight_window_runs_into_the_next_day() -> None:
    late = [Window(SAT, time(22), time(2))]
    assert covers(late, PARIS, paris(6, 6, 23), paris(7, 6, 1, 30))
    assert open_at(late, PARIS, paris(7, 6, 1, 59))  # Sunday morning, opened on Saturday
    assert not open_at(late, PARIS, paris(7, 6, 2))
    assert not open_at(late, PARIS, paris(7, 6, 23))  # Sunday night has no window of its own


def test_adjacent_windows_chain_across_midnight() -> None:
    split = [Window(MON, time(18), time(0)), Window(TUE, time(0), time(3))]
    assert covers(split, PARIS, paris(1, 6, 23), paris(2, 6, 2))
    assert not covers(split, PARIS, paris(1, 6, 23), paris(2, 6, 4))


def test_equal_open_and_close_is_the_whole_day() -> None:
    allday = [Window(MON, time(0), time(0))]
    assert covers(allday, PARIS, paris(1, 6, 0), paris(2, 6, 0))
    assert not open_at(allday, PARIS, paris(2, 6, 0))


def test_dst_days_keep_local_opening_times() -> None:
    sunday = [Window(SUN, time(9), time(17))]
    # Spring forward (2026-03-29): 09:00 local is 07:00Z, a week earlier it was 08:00Z.
    assert open_at(sunday, PARIS, datetime(2026, 3, 29, 7, tzinfo=UTC))
    assert not open_at(sunday, PARIS, datetime(2026, 3, 22, 7, tzinfo=UTC))
    assert open_at(sunday, PARIS, datetime(2026, 3, 22, 8, tzinfo=UTC))
    # Fall back (2026-10-25): 17:00 local is 16:00Z.
    assert open_at(sunday, PARIS, datetime(2026, 10, 25, 15, 59, tzinfo=UTC))
    assert not open_at(sunday, PARIS, datetime(2026, 10, 25, 16, tzinfo=UTC))


def test_overnight_window_over_a_dst_change_is_as_long_as_the_night() -> None:
    night = [Window(SAT, time(22), time(6))]
    start = paris(28, 3, 22).astimezone(UTC)  # UTC arithmetic: aware local datetimes add wall-clock time
    # The spring-forward night is 7 hours long: 22:00 to 06:00 local.
    assert covers(night, PARIS, start, start + timedelta(hours=7))
    assert not covers(night, PARIS, start, start + timedelta(hours=7, minutes=1))
    assert covers(night, NEW_YORK, datetime(2026, 3, 8, 3, tzinfo=UTC), datetime(2026, 3, 8, 9, tzinfo=UTC))


@pytest.mark.parametrize("name", ["Europe/Paris", "UTC", "America/Argentina/Buenos_Aires"])
def test_known_zones(name: str) -> None:
    assert zone_problem(name) is None


@pytest.mark.parametrize("name", ["", "Mars/Olympus", "../../etc/passwd", "x" * 65, "/etc/localtime"])
def test_unknown_zones(name: str) -> None:
    assert zone_problem(name) is not None
