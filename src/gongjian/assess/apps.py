from django.apps import AppConfig


class AssessConfig(AppConfig):
    name = "gongjian.assess"
    label = "assess"
    verbose_name = "考核"
