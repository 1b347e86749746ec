from django.apps import AppConfig


class PipelineConfig(AppConfig):
    """The pipeline's panel (panels.py) and its background work (tasks.py) are found by the cockpit's and the
    jobs' autodiscovery, as every app's are."""

    name = "gongjian.pipeline"
    label = "pipeline"
    verbose_name = "项目储备与年度计划"
