"""Sign-in and sign-out are security events (等保 8.1.4.3): record them. No business rule lives here."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from gongjian.core import audit


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record("login.success", actor=user, obj=user, ip_address=audit.client_ip(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record("logout", actor=user, obj=user, ip_address=audit.client_ip(request))
