"""Reading the daily cycle: whether a team member's report of the day is still to file (their to-do)."""

from __future__ import annotations

from gongjian.daily import services as daily
from gongjian.daily.models import DailyReport
from gongjian.org.models import Unit


def my_team(user) -> Unit | None:
    """The team ``user`` files for (:func:`daily.team_of`), looked up once per request."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_gongjian_team", False)
    if cached is False:
        cached = user._gongjian_team = daily.team_of(user)
    return cached


def today_waiting_count(user) -> int:
    """今日日报: 1 while the member's team has not filed the day's report, else 0."""
    team = my_team(user)
    if team is None:
        return 0
    return 0 if DailyReport.objects.filter(team=team, day=daily.today()).exists() else 1
