from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "gongjian.reports"
    label = "reports"
    verbose_name = "旬报月报"
