from django.contrib import admin, messages
from django.utils.translation import gettext as _

from gongjian.core.admin import AuditedModelAdmin
from gongjian.lights import services
from gongjian.lights.models import LightRule, RuleVersion


@admin.register(LightRule)
class LightRuleAdmin(AuditedModelAdmin):
    """The office edits thresholds and category rules here; every save or delete publishes a new rule version
    (audited) and relights this year's projects with it."""

    list_display = ["dimension", "categories", "enabled", "params", "note"]
    list_filter = ["dimension", "enabled"]

    def _publish(self, request, what: str) -> None:
        version = services.publish_rules(actor=request.user, note=f"{what}（{request.user.display_name}）")
        result = services.recompute()
        messages.info(
            request,
            _("已发布亮灯规则 v%(v)d，重新计算 %(n)d 个亮灯，其中 %(c)d 个有变化。")
            % {"v": version.number, "n": result.lights, "c": result.changed},
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._publish(
            request,
            _("修改规则：%(rule)s") % {"rule": obj} if change else _("新增规则：%(rule)s") % {"rule": obj},
        )

    def delete_model(self, request, obj):
        text = str(obj)
        super().delete_model(request, obj)
        self._publish(request, _("删除规则：%(rule)s") % {"rule": text})


@admin.register(RuleVersion)
class RuleVersionAdmin(admin.ModelAdmin):
    """Published versions are history: read only."""

    list_display = ["number", "note", "created_by", "created_at"]
    readonly_fields = ["number", "rules", "note", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
