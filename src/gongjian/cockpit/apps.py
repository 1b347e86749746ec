from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CockpitConfig(AppConfig):
    name = "gongjian.cockpit"
    label = "cockpit"
    verbose_name = "驾驶舱"

    def ready(self) -> None:
        # Every app's panels.py registers its panels (gongjian.core.panels), this app's own among them: a later
        # domain adds a panel without editing the cockpit.
        autodiscover_modules("panels")
