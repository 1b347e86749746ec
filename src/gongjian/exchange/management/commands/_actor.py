from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def actor_named(username: str | None):
    """The account a command acts as (its permissions and data scope apply), or None: the command line itself,
    recorded in the audit trail as "system"."""
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise CommandError(f"账号不存在或已停用：{username}") from None
