from django.apps import AppConfig


class LandConfig(AppConfig):
    name = "gongjian.land"
    label = "land"
    verbose_name = "征地拆迁"
