"""Roles are permission groups, defined here in code and synced to the database after every migrate.

The three administrators (三员: system, security, audit) are separate by design (等保 2.0 §8.1.5): none holds
another's permissions, and no account may hold an administrator role together with any other role.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROJECT_OFFICE = "project_office", _("项目办")
    UNIT_REPORTER = "unit_reporter", _("单位填报员")
    UNIT_REVIEWER = "unit_reviewer", _("单位审核员")
    SUPERVISING_LEADER = "supervising_leader", _("包挂领导/指挥长")
    EVALUATOR = "evaluator", _("综合评价打分人")
    SERVICE_TEAM = "service_team", _("服务工作队员")
    PRINCIPAL_LEADER = "principal_leader", _("主要领导")
    # Reads the land ledgers in full and the fairness audit (审计、纪检监察): not the 三员 audit admin, who audits
    # the system's trail and holds no business data.
    LAND_AUDITOR = "land_auditor", _("征迁审计监督员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles that may open the Django admin (for reference data, accounts and role assignment respectively).
STAFF_ROLES = frozenset({Role.PROJECT_OFFICE, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})

_VIEW_PROJECTS = ["projects.view_project", "projects.export_projects"]
_REFERENCE_DATA = [
    f"{app}.{verb}_{model}"
    for app, model in [
        ("org", "region"),
        ("org", "regionboundary"),
        ("org", "unit"),
        ("org", "person"),
        ("org", "villageassignment"),
        ("projects", "projectleader"),
        ("projects", "milestone"),
        ("projects", "approval"),
    ]
    for verb in ("view", "add", "change", "delete")
]

_LIGHTS = ["lights.view_light", "lights.view_case", "lights.handle_case", "lights.view_judgement"]
_RULES = [f"lights.{verb}_lightrule" for verb in ("view", "add", "change", "delete")] + [
    "lights.view_ruleversion",
    *[f"core.{verb}_calendarday" for verb in ("view", "add", "change", "delete")],
]

# Dispatch: meetings and decisions are read by everyone who works on projects (decisions are handled as cases);
# units hand in what assignments ask and headquarters deploy their teams' days.
_DISPATCH_VIEW = [
    "meetings.view_meeting",
    "meetings.view_decision",
    "assignments.view_assignment",
    "daily.view_dailyreport",
    "documents.view_document",
]
_DISPATCH_UNIT = [*_DISPATCH_VIEW, "assignments.add_submission", "daily.add_dailytask"]

# The pipeline (谋划/储备): units propose and edit their reserve projects; the office also plans, issues and runs
# the campaigns; leaders read it all.
_PIPELINE_VIEW = ["pipeline.view_reserveproject", "pipeline.view_annualplan", "pipeline.view_campaign"]
_PIPELINE_UNIT = [*_PIPELINE_VIEW, "pipeline.add_reserveproject", "pipeline.change_reserveproject"]
# Investment attraction: a unit's staff manage their unit's trips and leads; the office also hands down the
# targets and, like the principal leaders, sees every unit's.
_ATTRACTION_VIEW = [
    "attraction.view_trip",
    "attraction.view_lead",
    "attraction.view_tranche",
    "attraction.view_attractiontarget",
]
_ATTRACTION_UNIT = [*_ATTRACTION_VIEW, "attraction.manage_leads"]
# Land acquisition: the office keeps the tasks and standards; the teams (for their own tasks, checked in
# land/services.py) keep the ledger and draft agreements; the headquarters' commander approves deviations.
_LAND_VIEW = [
    "land.view_task",
    "land.view_household",
    "land.view_agreement",
    "land.view_standard",
    "land.view_fairness",
]
_LAND_LEDGER = [
    *_LAND_VIEW,
    "land.add_household",
    "land.change_household",
    "land.add_agreement",
    "land.change_agreement",
    "land.add_walllist",
    "land.add_lawfulpath",
    "land.change_lawfulpath",
    "land.add_payment",
]
# Targets (目标责任状): the office defines and settles them, a unit's staff enter its actuals and sign its contract,
# leaders read every unit's.
_TARGETS_VIEW = ["targets.view_indicator", "targets.view_contract", "targets.view_settlement"]
_TARGETS_ALL = [*_TARGETS_VIEW, "targets.view_all_targets"]
_TARGETS_UNIT = [*_TARGETS_VIEW, "targets.enter_actuals"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.PROJECT_OFFICE: [
        *_VIEW_PROJECTS,
        "projects.view_all_projects",
        "projects.add_project",
        "projects.change_project",
        "projects.delete_project",
        "projects.import_projects",
        "projects.change_baseline",
        *_REFERENCE_DATA,
        "org.view_regionboundaryrevision",
        "reports.view_report",
        "reports.view_reportingperiod",
        "reports.add_reportingperiod",
        "reports.change_reportingperiod",
        *_LIGHTS,
        *_RULES,
        "lights.close_case",
        "lights.add_judgement",
        "lights.change_judgement",
        "assess.run_assessment",
        "assess.view_run",
        "assess.view_scheme",
        "assess.add_scheme",
        "assess.view_adjustment",
        "assess.add_adjustment",
        "assess.change_adjustment",
        "assess.delete_adjustment",
        "assess.view_evaluatorassignment",
        "assess.add_evaluatorassignment",
        "assess.delete_evaluatorassignment",
        "assess.view_interview",
        "assess.add_interview",
        "assess.change_interview",
        *_DISPATCH_UNIT,
        "meetings.run_dispatch",
        *_PIPELINE_UNIT,
        "pipeline.manage_pipeline",
        "pipeline.import_reserve",
        *_ATTRACTION_UNIT,
        "attraction.view_all_leads",
        "attraction.assign_targets",
        "daily.add_dailyreport",
        *_LAND_LEDGER,
        "land.add_task",
        "land.change_task",
        "land.add_standard",
        "land.view_all_tasks",
        "land.view_identity",
        *_TARGETS_ALL,
        "targets.manage_targets",
        "jobs.view_job",
        "jobs.view_schedulerun",
    ],
    Role.UNIT_REPORTER: [
        *_VIEW_PROJECTS,
        "projects.change_project",
        "reports.view_report",
        "reports.submit_report",
        *_LIGHTS,
        *_DISPATCH_UNIT,
        *_PIPELINE_UNIT,
        *_ATTRACTION_UNIT,
        *_TARGETS_UNIT,
    ],
    Role.UNIT_REVIEWER: [
        *_VIEW_PROJECTS,
        "reports.view_report",
        "reports.review_report",
        *_LIGHTS,
        *_DISPATCH_UNIT,
        *_ATTRACTION_VIEW,
        *_TARGETS_UNIT,
    ],
    Role.SUPERVISING_LEADER: [
        *_VIEW_PROJECTS,
        "reports.view_report",
        *_LIGHTS,
        "lights.add_judgement",
        "lights.change_judgement",
        "assess.view_evaluation",
        "assess.add_evaluation",
        *_DISPATCH_VIEW,
        *_LAND_VIEW,
        "land.approve_deviation",
        *_TARGETS_ALL,
    ],
    Role.EVALUATOR: ["projects.view_project", "assess.view_evaluation", "assess.add_evaluation"],
    Role.SERVICE_TEAM: [
        "projects.view_project",
        "daily.view_dailyreport",
        "daily.add_dailyreport",
        *_LAND_LEDGER,
    ],
    Role.PRINCIPAL_LEADER: [
        *_VIEW_PROJECTS,
        "projects.view_all_projects",
        "reports.view_report",
        *_LIGHTS,
        "lights.add_judgement",
        "lights.change_judgement",
        "assess.view_run",
        "assess.view_evaluation",
        "assess.add_evaluation",
        *_DISPATCH_VIEW,
        *_PIPELINE_VIEW,
        *_ATTRACTION_VIEW,
        "attraction.view_all_leads",
        *_LAND_VIEW,
        "land.view_all_tasks",
        *_TARGETS_ALL,
    ],
    Role.LAND_AUDITOR: [*_LAND_VIEW, "land.view_all_tasks", "land.view_identity"],
    Role.SYSTEM_ADMIN: [
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "core.view_systemsetting",
        "core.change_systemsetting",
    ],
    Role.SECURITY_ADMIN: [
        "accounts.view_user",
        "accounts.assign_roles",
        "accounts.unlock_user",
        "accounts.reset_password",
        "accounts.manage_credentials",
        "accounts.view_rolepolicy",
        "accounts.change_rolepolicy",
        "accounts.view_apitoken",
        "auth.view_group",
        "auth.view_permission",
    ],
    Role.AUDIT_ADMIN: ["core.view_audit_trail", "core.view_auditevent"],
}


# A fresh installation asks a second factor of the three administrators and the project office (issue 11); the
# security administrator switches it per role afterwards, and a later migrate keeps their choice.
OTP_REQUIRED_BY_DEFAULT = frozenset({*ADMIN_ROLES, Role.PROJECT_OFFICE})


def sync_roles() -> None:
    """Create each role's group and set exactly the permissions listed above, and give every role a security
    policy if it has none yet (idempotent)."""
    from django.contrib.auth.models import Group, Permission  # noqa: PLC0415  (cycle: accounts.models reads the roles defined here)

    from gongjian.accounts.models import RolePolicy  # noqa: PLC0415  (cycle: accounts.models reads the roles defined here)

    kept = set(RolePolicy.objects.values_list("role", flat=True))
    RolePolicy.objects.bulk_create(
        [
            RolePolicy(role=role, require_otp=role in OTP_REQUIRED_BY_DEFAULT)
            for role in Role
            if role not in kept
        ],
        ignore_conflicts=True,
    )

    # Every permission a role names, in one query (a named permission that does not exist is an error here).
    named = {dotted for perms in ROLE_PERMISSIONS.values() for dotted in perms}
    by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.filter(
            content_type__app_label__in={d.split(".")[0] for d in named}
        ).values_list("pk", "content_type__app_label", "codename")
    }
    missing = sorted(named - by_name.keys())
    if missing:
        raise Permission.DoesNotExist(f"roles name permissions that do not exist: {', '.join(missing)}")
    groups = {g.name: g for g in Group.objects.filter(name__in=list(ROLE_PERMISSIONS))}
    Group.objects.bulk_create(
        [Group(name=role) for role in ROLE_PERMISSIONS if role not in groups], ignore_conflicts=True
    )
    groups = {g.name: g for g in Group.objects.filter(name__in=list(ROLE_PERMISSIONS))}
    held: dict[int, set[int]] = {}
    for group_id, permission_id in Group.permissions.through.objects.filter(
        group_id__in=[g.pk for g in groups.values()]
    ).values_list("group_id", "permission_id"):
        held.setdefault(group_id, set()).add(permission_id)
    for role, perms in ROLE_PERMISSIONS.items():
        group = groups[role]
        wanted = {by_name[dotted] for dotted in perms}
        if held.get(group.pk, set()) != wanted:  # exactly the listed permissions: extra ones are taken away
            group.permissions.set(wanted)


def sync_roles_after_migrate(sender, **kwargs) -> None:
    # Permissions of every app must exist before the groups can point at them.
    from django.apps import apps  # noqa: PLC0415  (cycle: accounts.models reads the roles defined here)
    from django.contrib.auth.management import create_permissions  # noqa: PLC0415  (cycle: accounts.models reads the roles defined here)

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))
    sync_roles()


def role_label(code: str) -> str:
    try:
        return str(Role(code).label)
    except ValueError:
        return code
