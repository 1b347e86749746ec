"""The map page (一张图). It lives in its own app above lights: its points are coloured by the latest light, which
the projects app (below lights) cannot read; the boundary comes from org and the drawing from core, so the
project page draws its own point with the same script."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import TemplateView

from gongjian.onemap.queries import map_data


class MapView(PermissionRequiredMixin, TemplateView):
    permission_required = "projects.view_project"
    template_name = "onemap/map.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"map": map_data(self.request.user, self.request.GET)}
