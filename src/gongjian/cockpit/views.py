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
            "now": timezone.localtime(),
            "query": request.GET.urlencode(),
        },
    )


@permission_required("projects.view_project", raise_exception=True)
def home(request):
    return _page(request, "cockpit/home.html", screen=False)


@permission_required("projects.view_project", raise_exception=True)
def screen(request):
    return _page(request, "cockpit/screen.html", screen=True)
