from django.apps import AppConfig


class DispatchConfig(AppConfig):
    """What is left of dispatch once it became the apps meetings, daily, assignments and documents: its migrations,
    which create the tables on a new database and hand them to those apps (whose first migrations take them over
    and rename them); it has no models and no code."""

    name = "gongjian.dispatch"
    label = "dispatch"
    verbose_name = "调度（已拆分）"
