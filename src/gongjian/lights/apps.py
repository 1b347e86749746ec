from django.apps import AppConfig


class LightsConfig(AppConfig):
    name = "gongjian.lights"
    label = "lights"
    verbose_name = "红绿灯与督办"

    def ready(self) -> None:
        from gongjian.lights import signals  # noqa: F401  (recompute on report approval and rule changes)
