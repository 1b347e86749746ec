from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "gongjian.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        from gongjian.accounts import access, roles, signals  # noqa: F401, PLC0415  (connects login audit receivers; app registry)

        post_migrate.connect(roles.sync_roles_after_migrate, sender=self)
        access.connect()
