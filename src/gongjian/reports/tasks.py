"""Scheduled work of the reports: open the periods due and remind the reporters."""

from gongjian.reports import services


def open_periods_and_remind() -> str:
    result = services.tick()
    return f"开放 {'、'.join(result['opened']) or '无'}；催报 {'、'.join(result['reminded']) or '无'}"
