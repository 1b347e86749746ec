from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo district: generated data for trying Gongjian out (`gongjian demo`). Has no models."""

    name = "gongjian.demo"
    label = "demo"
    verbose_name = "演示数据"
