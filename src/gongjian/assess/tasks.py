"""Scheduled work of the assessment: draft the periods past their deadline, tell the office of overdue
rectification commitments."""

from gongjian.assess import followup, services


def draft_due_runs() -> str:
    return f"起草 {'、'.join(services.run_due()) or '无'}"


def remind_overdue_commitments() -> str:
    return f"已告知项目办 {followup.remind_overdue()} 项"
