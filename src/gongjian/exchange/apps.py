from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "gongjian.exchange"
    label = "exchange"
    verbose_name = "数据交换"
