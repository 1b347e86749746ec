from django.apps import AppConfig


class OnemapConfig(AppConfig):
    name = "gongjian.onemap"
    label = "onemap"
    verbose_name = "项目一张图"
