from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    PREFECTURE = "prefecture", _("地市级")
    COUNTY = "county", _("县区级")
    TOWNSHIP = "township", _("乡镇街道")
    VILLAGE = "village", _("村居社区")


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("部门")
    STREET = "street", _("街道")
    TOWNSHIP = "township", _("乡镇")
    PARK = "park", _("园区")
    HEADQUARTERS = "headquarters", _("指挥部")
    SERVICE_TEAM = "service_team", _("服务工作队")
    ENTERPRISE = "enterprise", _("企业")
    STATE_ENTERPRISE = "soe", _("国有企业")
    LEADERSHIP = "leadership", _("领导班子")


# Units whose people see every project located in the unit's region and below it (街道/乡镇 govern territory).
TERRITORIAL_KINDS = frozenset({UnitKind.STREET, UnitKind.TOWNSHIP})
ENTERPRISE_KINDS = frozenset({UnitKind.ENTERPRISE, UnitKind.STATE_ENTERPRISE})


class LeadershipBody(models.TextChoices):
    """The four leadership bodies (四套班子) whose members take projects under 领导分工包挂制."""

    PARTY = "party", _("区委")
    CONGRESS = "congress", _("人大")
    GOVERNMENT = "government", _("政府")
    CPPCC = "cppcc", _("政协")
