from django.apps import AppConfig


class LightsConfig(AppConfig):
    name = "gongjian.lights"
    label = "lights"
    verbose_name = "红绿灯与督办"
