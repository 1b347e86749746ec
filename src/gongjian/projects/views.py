from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from gongjian.core.forms import add_service_errors
from gongjian.core.locking import Stale, posted_version
from gongjian.core.periods import Period
from gongjian.org.queries import boundary_for, boundary_script_text
from gongjian.projects import extras, queries, services
from gongjian.projects.choices import ChangeState
from gongjian.projects.filters import filter_projects
from gongjian.projects.forms import (
    ApprovalFormSet,
    BaselineChangeForm,
    MilestoneFormSet,
    ProjectForm,
    formset_rows,
)
from gongjian.projects.models import AnnualPlan, BaselineChange, Project, ProjectLeader
from gongjian.projects.queries import describe_baseline, describe_changes


def plan_year(request) -> int:
    """The year whose plan the pages show: ?year= when given, otherwise this year."""
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


def filtered_projects(request):
    """The signed-in user's projects, filtered and sorted as the query string says (list page and export)."""
    return filter_projects(request.user, request.GET)


class ProjectListView(PermissionRequiredMixin, ListView):
    permission_required = "projects.view_project"
    template_name = "projects/project_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filterset, queryset, self.year = filtered_projects(self.request)
        leaders = ProjectLeader.objects.select_related("person")
        return queryset.prefetch_related(Prefetch("leader_links", queryset=leaders))

    def get_paginate_by(self, queryset):
        try:
            return min(max(int(self.request.GET.get("per_page", self.paginate_by)), 10), 200)
        except ValueError:
            return self.paginate_by

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Choice labels translated once per page, not once per row and column (get_FOO_display is lazy).
        labels = {
            name: {value: str(label) for value, label in Project._meta.get_field(name).choices}
            for name in ("category", "nature", "level")
        }
        page = context["object_list"]
        figures = queries.list_figures([p.pk for p in page], self.year)
        colours = queries.light_labels()
        for project in page:
            project.labels = {name: labels[name][getattr(project, name)] for name in labels}
            colour, done = figures.get(project.pk, (None, None))
            project.light_colour, project.light_label = colour, colours.get(colour, "")
            project.completion = (
                round((done or 0) * 100 / project.plan_total, 1) if project.plan_total else None
            )
        # The plans' sum read by a join of the filtered projects, not by the list's subquery once a project: a
        # province's 100,000 look-ups took 0.6 s of a 0.9 s page.
        filtered = self.object_list.order_by()
        totals = filtered.aggregate(total=Sum("total_investment")) | AnnualPlan.objects.filter(
            year=self.year, project__in=filtered.values("pk")
        ).aggregate(plan=Sum("total"))
        context.update(
            filterset=self.filterset,
            year=self.year,
            totals=totals,
            columns=[
                (_("项目编号"), "code", ""),
                (_("项目名称"), "name", ""),
                (_("类别"), "category", "hide-sm"),
                (_("性质"), "nature", "hide-sm"),
                (_("级别"), "level", "hide-sm"),
                (_("责任单位"), "unit", "hide-sm"),
                (_("包挂领导"), "", "hide-sm"),
                (_("总投资（万元）"), "total", "num"),
                (_("%(year)s年计划（万元）") % {"year": self.year}, "plan", "num"),
                (_("%(year)s年完成率") % {"year": self.year}, "", "num"),
                (_("红绿灯"), "", ""),
                (_("计划开工"), "start", "hide-sm"),
            ],
            sort=self.request.GET.get("sort", ""),
            can_add=self.request.user.has_perm("projects.add_project"),
            open_changes=_visible_changes(self.request.user).filter(state=ChangeState.PROPOSED).count(),
        )
        return context


class ProjectDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "projects.view_project"
    template_name = "projects/project_detail.html"
    context_object_name = "project"

    def get_queryset(self):
        return (
            Project.objects.in_scope(self.request.user)
            .select_related("responsible_unit", "region", "park", "headquarters", "owner", "commander")
            .prefetch_related(
                "plans",
                "milestones",
                "approvals",
                Prefetch("leader_links", queryset=ProjectLeader.objects.select_related("person")),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project, year = self.object, plan_year(self.request)
        plan = project.plan_for(year)
        context.update(
            year=year,
            plan=plan,
            plan_rows=[
                (m + 1, plan.dekads[m * 3 : m * 3 + 3], plan.months[m], done)
                for m, done in zip(range(12), queries.months_done(project, year, plan.months), strict=True)
            ]
            if plan
            else [],
            can_edit=Project.objects.editable_by(self.request.user).filter(pk=project.pk).exists(),
            light=project.lights.order_by("-period_code").first()
            if self.request.user.has_perm("lights.view_light")
            else None,
            baseline=describe_baseline(project.baseline, project.baseline_from),
            reports=queries.latest_reports(project)
            if self.request.user.has_perm("reports.view_report")
            else [],
            photos=queries.site_photos(project) if self.request.user.has_perm("reports.view_report") else [],
            light_history=queries.light_history(project, year)
            if self.request.user.has_perm("lights.view_light")
            else [],
            changes=self.changes(project),
            can_propose=services.may_propose_baseline(self.request.user, project),
            extras=extras.sections(project, self.request.user),
        )
        context["site_map"] = self.site_map(project, context["light"])
        return context

    def site_map(self, project, light):
        """The project's own point on its region's boundary (or its nearest ancestor's), coloured by its light;
        None when it has no coordinates."""
        if project.longitude is None or project.latitude is None:
            return None
        boundary = boundary_for(project.region)
        point = {
            "id": project.pk,
            "name": project.name,
            "url": reverse("projects:project_detail", args=[project.pk]),
            "value": [float(project.longitude), float(project.latitude)],
            "size": 18,
            "colour": light.colour if light else None,
        }
        return {"boundary": boundary, "boundary_text": boundary_script_text(boundary), "points": [point]}

    def changes(self, project):
        """The project's re-baselinings and proposals, newest first, each with what it moves."""
        rows = list(
            project.baseline_changes.select_related("proposed_by", "decided_by").order_by(
                "-proposed_at", "-pk"
            )
        )
        describe_changes(rows)
        return rows


class ProjectEditView(View):
    """Create (no pk) or edit a project with its plan, milestones and approvals on one page."""

    template_name = "projects/project_form.html"

    def get_project(self, pk):
        if pk is None:
            if not self.request.user.has_perm("projects.add_project"):
                raise PermissionDenied
            return Project()
        return get_object_or_404(Project.objects.editable_by(self.request.user), pk=pk)

    def forms(self, project, data=None):
        year = project.year if project.pk else plan_year(self.request)
        form = ProjectForm(data, instance=project, plan_year=year)
        milestones = MilestoneFormSet(data, instance=project, prefix="milestones")
        if project.pk and not self.request.user.has_perm("projects.change_baseline"):
            form.lock_baseline()
            for row in milestones.forms:
                if row.instance.pk:
                    row.fields["planned_date"].disabled = True
        return form, milestones, ApprovalFormSet(data, instance=project, prefix="approvals")

    def render(self, project, form, milestones, approvals, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "project": project,
                "form": form,
                "milestones": milestones,
                "approvals": approvals,
            },
            status=status,
        )

    def get(self, request, pk=None):
        project = self.get_project(pk)
        return self.render(project, *self.forms(project))

    def post(self, request, pk=None):
        project = self.get_project(pk)
        form, milestones, approvals = self.forms(project, request.POST)
        if form.is_valid() and milestones.is_valid() and approvals.is_valid():
            children = form.service_children(formset_rows(milestones), formset_rows(approvals))
            try:
                with transaction.atomic():
                    if project.pk:
                        project = services.update_project(
                            project,
                            form.service_fields(),
                            children,
                            actor=request.user,
                            expected_version=form.cleaned_data.get("version"),
                        )
                    else:
                        project = services.create_project(form.service_fields(), children, actor=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
                if isinstance(exc, Stale):  # someone saved first: say so (409), keep the form as typed
                    return self.render(project, form, milestones, approvals, status=409)
            else:
                messages.success(request, _("项目「%(name)s」已保存。") % {"name": project.name})
                return redirect("projects:project_detail", pk=project.pk)
        return self.render(project, form, milestones, approvals, status=400)


class ProjectDeleteView(View):
    def post(self, request, pk):
        project = get_object_or_404(Project.objects.in_scope(request.user), pk=pk)
        try:
            services.delete_project(
                project, actor=request.user, expected_version=posted_version(request.POST)
            )
        except Stale as exc:  # changed since the page was read: the page again, as it is now, saying so (409)
            messages.error(request, exc.messages[0])
            page = ProjectDetailView()
            page.setup(request, pk=pk)
            response = page.get(request, pk=pk)
            response.status_code = 409
            return response
        messages.success(request, _("项目「%(name)s」已删除。") % {"name": project.name})
        return redirect("projects:project_list")


# Baselines (基准)


def _effective_choices(project: Project) -> list[Period]:
    """The ten-day periods a change may take effect from: after the current baseline's first one, from the
    start of last year, up to three months ahead."""
    today = timezone.localdate()
    first = Period(today.year - 1, 1, 1)
    if project.baseline_from:
        first = max(first, Period.parse(project.baseline_from).next())
    last = Period.dekad_of(today + timedelta(days=92))
    return list(Period.range(first, last)) if first <= last else []


class BaselineProposeView(View):
    """A unit (or the office) proposes a change of the project's baseline, effective from a ten-day period."""

    template_name = "projects/baseline_propose.html"

    def setup_project(self, request, pk):
        project = get_object_or_404(
            Project.objects.in_scope(request.user).prefetch_related("plans", "milestones", "leader_links"),
            pk=pk,
        )
        if not services.may_propose_baseline(request.user, project):
            raise PermissionDenied
        return project

    def form(self, project, data=None):
        periods = _effective_choices(project)
        form = BaselineChangeForm(data, project=project, plan_year=plan_year(self.request), periods=periods)
        if data is None:
            form.initial.setdefault("effective_from", Period.dekad_of(timezone.localdate()).code)
        return form

    def render(self, project, form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "project": project,
                "form": form,
                "current": describe_baseline(project.baseline, project.baseline_from),
            },
            status=status,
        )

    def get(self, request, pk):
        project = self.setup_project(request, pk)
        return self.render(project, self.form(project))

    def post(self, request, pk):
        project = self.setup_project(request, pk)
        form = self.form(project, request.POST)
        if form.is_valid():
            try:
                change = services.propose_baseline_change(
                    project,
                    form.proposed(),
                    reason=form.cleaned_data["reason"],
                    effective_from=form.cleaned_data["effective_from"],
                    actor=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("调整申请已提交，项目办审批后生效。"))
                return redirect("projects:baseline_change", pk=change.pk)
        return self.render(project, form, status=400)


def _visible_changes(user):
    return BaselineChange.objects.filter(project__in=Project.objects.in_scope(user)).select_related(
        "project", "proposed_by", "decided_by"
    )


class BaselineChangeListView(PermissionRequiredMixin, ListView):
    """The proposals the user may see, open ones first (the office's worklist)."""

    permission_required = "projects.view_project"
    template_name = "projects/baseline_change_list.html"
    paginate_by = 50

    def get_queryset(self):
        state = self.request.GET.get("state", ChangeState.PROPOSED)
        rows = _visible_changes(self.request.user)
        if state in ChangeState.values:
            rows = rows.filter(state=state)
        return rows.order_by("-proposed_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        describe_changes(context["object_list"])
        context.update(states=ChangeState.choices, state=self.request.GET.get("state", ChangeState.PROPOSED))
        return context


def _lines_of(change) -> list[str]:
    describe_changes([change])
    return change.lines


class BaselineChangeView(View):
    """One proposal: what it moves, from → to, and the office's approve / refuse, the proposer's withdraw."""

    template_name = "projects/baseline_change.html"

    def get_change(self, request, pk):
        return get_object_or_404(_visible_changes(request.user), pk=pk)

    def render(self, change, errors=(), status=200):
        user = self.request.user
        return render(
            self.request,
            self.template_name,
            {
                "change": change,
                "lines": _lines_of(change),
                "errors": errors,
                "period": change.effective_period,
                "open": change.state == ChangeState.PROPOSED,
                "can_decide": user.has_perm("projects.change_baseline"),
                "can_withdraw": services.may_propose_baseline(user, change.project),
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render(self.get_change(request, pk))

    def post(self, request, pk):
        change = self.get_change(request, pk)
        action, note = request.POST.get("action"), request.POST.get("note", "")
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        actions = {
            "approve": lambda: services.approve_baseline_change(
                change, actor=request.user, expected_version=version, note=note
            ),
            "refuse": lambda: services.refuse_baseline_change(
                change, actor=request.user, expected_version=version, note=note
            ),
            "withdraw": lambda: services.withdraw_baseline_change(
                change, actor=request.user, expected_version=version
            ),
        }
        if action not in actions:
            return self.render(change, [_("未知的操作。")], status=400)
        try:
            done = actions[action]()
        except Stale as exc:
            change.refresh_from_db()
            return self.render(change, exc.messages, status=409)
        except ValidationError as exc:
            return self.render(change, exc.messages, status=400)
        messages.success(
            request,
            {
                ChangeState.APPROVED: _("已批准：项目现行基准为第 %(n)s 版，红绿灯已按新基准重算。")
                % {"n": done.number},
                ChangeState.REFUSED: _("已不予批准，基准不变。"),
                ChangeState.WITHDRAWN: _("调整申请已撤回。"),
            }[done.state],
        )
        return redirect("projects:baseline_change", pk=change.pk)
