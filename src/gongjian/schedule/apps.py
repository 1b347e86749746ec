from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "gongjian.schedule"
    label = "schedule"
    verbose_name = "定时任务"
