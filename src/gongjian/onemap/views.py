"""The map page (一张图) and the card of a clicked point. The map lives in its own app above lights: its points are
coloured by the latest light, which the projects app (below lights) cannot read; the boundary comes from org and
the drawing from core, so the project page draws its own point with the same script."""

from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from gongjian.onemap import queries


class MapView(PermissionRequiredMixin, TemplateView):
    permission_required = "projects.view_project"
    template_name = "onemap/map.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "map": queries.map_data(self.request.user, self.request.GET)
        }


@require_GET
@permission_required("projects.view_project", raise_exception=True)
def card(request, pk: int):
    """A point's card as JSON, for the map's script: 404 for a project the user may not see."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    found = queries.card(request.user, pk, year=year if year and 2000 <= year <= 2100 else None)
    if found is None:
        raise Http404
    return JsonResponse(found, json_dumps_params={"ensure_ascii": False})
