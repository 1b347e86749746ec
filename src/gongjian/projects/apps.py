from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "gongjian.projects"
    label = "projects"
    verbose_name = "项目库"
