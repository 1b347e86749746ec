"""Scheduled work of assignments: remind the units of assignment steps due or overdue."""

from gongjian.assignments import services as assignments


def remind_assignments() -> str:
    return f"提醒 {assignments.remind()} 条"
