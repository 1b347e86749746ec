"""The leaders' cockpit (驾驶舱) and its wall-screen mode (大屏): the registered panels over the viewer's projects,
filtered by year, region, park, category and level. Pages only read."""

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from gongjian.cockpit.forms import CockpitFilterForm
from gongjian.cockpit.queries import project_count, projects_of
from gongjian.core.panels import View, registered

# The wall screen reloads itself (a GET of the page) this often.
SCREEN_REFRESH_SECONDS = settings.GONGJIAN_COCKPIT_REFRESH_SECONDS
# A 1920×1080 wall screen holds two rows of four cells (a wide panel takes two); more panels than that are shown
# as screens (屏) that take turns, each for this many seconds.
SCREEN_CELLS = 8
SCREEN_TURN_SECONDS = settings.GONGJIAN_COCKPIT_TURN_SECONDS


def screens(panels: list[dict]) -> list[list[dict]]:
    """The panels in turns of at most :data:`SCREEN_CELLS` cells, in their order (a wide panel takes two)."""
    pages: list[list[dict]] = [[]]
    used = 0
    for p in panels:
        cells = 2 if p["panel"].wide else 1
        if used + cells > SCREEN_CELLS and pages[-1]:
            pages.append([])
            used = 0
        pages[-1].append(p)
        used += cells
    return [page for page in pages if page]


def _page(request, template: str, *, screen: bool):
    form = CockpitFilterForm(request.GET or None, initial={"year": timezone.localdate().year})
    if request.GET and not form.is_valid():
        # Said at the field; the figures wait for filters that make sense.
        return render(request, template, {"form": form, "panels": [], "screen": screen}, status=400)
    year = form.year_or_this() if form.is_bound else timezone.localdate().year
    filters = form.passed_on() if form.is_bound else {}
    projects, words = projects_of(request.user, filters)
    view = View(
        user=request.user,
        year=year,
        today=timezone.localdate(),
        filters=filters,
        projects=projects,
        screen=screen,
    )
    panels = [
        {"panel": panel, "data": data}
        for panel in registered(request.user, screen=screen)
        if (data := panel.build(view)) is not None
    ]
    return render(
        request,
        template,
        {
            "form": form,
            "year": year,
            "words": words,
            "panels": panels,
            "projects": project_count(view),
            "projects_link": view.link(reverse("projects:project_list"), state="active", plan_year=year),
            "screen": screen,
            "refresh": SCREEN_REFRESH_SECONDS,
            "screens": screens(panels) if screen else [],
            "turn": SCREEN_TURN_SECONDS,
            "now": timezone.localtime(),
            "query": request.GET.urlencode(),
        },
    )


# The cockpit's figures are the registry's and the lights': whoever opens it can open the lists behind them.
COCKPIT_PERMISSIONS = ("projects.view_project", "lights.view_light")


@permission_required(COCKPIT_PERMISSIONS, raise_exception=True)
def home(request):
    return _page(request, "cockpit/home.html", screen=False)


@permission_required(COCKPIT_PERMISSIONS, raise_exception=True)
def screen(request):
    return _page(request, "cockpit/screen.html", screen=True)
