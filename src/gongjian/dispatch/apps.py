from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "gongjian.dispatch"
    label = "dispatch"
    verbose_name = "调度"
