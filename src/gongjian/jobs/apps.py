from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "gongjian.jobs"
    label = "jobs"
    verbose_name = "后台任务"

    def ready(self) -> None:
        # Each app's tasks.py registers its kinds of background work (services.job) and its scheduled steps.
        autodiscover_modules("tasks")
