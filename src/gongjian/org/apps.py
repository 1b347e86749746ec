from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "gongjian.org"
    label = "org"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from gongjian.org import scope  # noqa: PLC0415  (the app registry must be ready for the models)

        scope.connect()
