from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gongjian.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from gongjian.accounts import roles, signals  # noqa: F401  (connects login audit receivers)

        post_migrate.connect(roles.sync_roles_after_migrate, sender=self)
