from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    name = "gongjian.assignments"
    label = "assignments"
    verbose_name = "任务交办"
