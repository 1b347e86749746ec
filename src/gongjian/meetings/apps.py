from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "gongjian.meetings"
    label = "meetings"
    verbose_name = "调度会"
