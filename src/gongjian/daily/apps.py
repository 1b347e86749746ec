from django.apps import AppConfig


class DailyConfig(AppConfig):
    name = "gongjian.daily"
    label = "daily"
    verbose_name = "工作队日报"
