"""Scheduled work of dispatch: remind the units of assignment steps due or overdue."""

from gongjian.dispatch import assignments


def remind_assignments() -> str:
    return f"提醒 {assignments.remind()} 条"
