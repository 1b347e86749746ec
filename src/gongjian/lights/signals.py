"""Lights recompute when a report is approved (and its problems become cases) or a problem case changes."""

from django.db import transaction
from django.dispatch import receiver

from gongjian.reports.models import Report
from gongjian.reports.signals import report_approved


@receiver(report_approved, sender=Report)
def _on_report_approved(sender, report, actor, **kwargs):
    from gongjian.lights import cases, services

    cases.open_for_problems(report, actor=actor)
    services.recompute([report.project_id])


def recompute_after_commit(project_id: int) -> None:
    from gongjian.lights import services

    transaction.on_commit(lambda: services.recompute([project_id]))
