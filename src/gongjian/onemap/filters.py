import django_filters
from django.utils.translation import gettext_lazy as _

from gongjian.lights.choices import Colour
from gongjian.projects.filters import ProjectFilterSet

NO_LIGHT = "none"
COLOUR_CHOICES = [(str(value), label) for value, label in Colour.choices] + [(NO_LIGHT, _("未亮灯"))]


class MapFilterSet(ProjectFilterSet):
    """The project list's filters that make sense on a map (year, region, park, category, level) and the light's
    colour. The colour is the latest light's, which the map reads anyway: it is applied to the points
    (:func:`gongjian.onemap.queries.map_data`), not to the query."""

    SHOWN = ("year", "region", "park", "category", "level", "colour")

    colour = django_filters.ChoiceFilter(
        label=_("灯色"), choices=COLOUR_CHOICES, method="by_colour", empty_label=_("全部")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.filters):
            if name not in self.SHOWN:
                del self.filters[name]
        for name in ("region", "park", "category", "level"):
            self.filters[name].extra["empty_label"] = _("全部")

    def by_colour(self, queryset, name, value):
        return queryset
