"""What other apps may react to: a report approved (its figures, milestones and problems now count)."""

from django.dispatch import Signal

# Sent inside the approving transaction with ``report`` and ``actor``.
report_approved = Signal()
