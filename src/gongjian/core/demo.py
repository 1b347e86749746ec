"""The demo district: 泉山区 of 徐州市 in the shape the district head's speech (context 001) gives it.

"今年，区委、区政府确定实施36项经济类重点项目，新建25个，续建11个，其中工业类项目23个、商贸流通类项目13个，
总投资31.2亿元，今年要完成投资10.38亿元" — and "继续实行区四套班子领导分工包挂制". A new user, a trainer or
a salesperson needs a district that looks like theirs within a minute of installing, so :func:`load_demo` builds
exactly that: the region tree, departments, streets, the three parks, headquarters and service teams, owner
enterprises, the four leadership bodies with their projects and villages, the 36 projects with plans, milestones
and approvals, and one account per role.

The data are a pure function of ``(year, as_of)``: a fixed random seed, lists walked in a fixed order, no clock
other than the defaults of those two arguments. Rebuilding the demo therefore gives the same district every time,
which the tests rely on and which keeps screenshots and training material valid.

National project codes and credit codes are made up. They pass the format and check-character rules but belong to
nobody; real codes come from the 在线审批监管平台 and the registration authorities.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import models, transaction

from gongjian.accounts.models import User
from gongjian.accounts.roles import Role
from gongjian.accounts.services import create_user
from gongjian.core import audit
from gongjian.core.identifiers import CREDIT_CODE_CHARSET, make_credit_code, make_org_code, region_level
from gongjian.core.models import SystemSetting
from gongjian.core.money import YUAN_PER_WAN, split_by_weights
from gongjian.org.choices import LeadershipBody, UnitKind
from gongjian.org.models import Person, Region, Unit, VillageAssignment
from gongjian.projects.choices import (
    ApprovalKind,
    ApprovalStatus,
    Category,
    Funding,
    LandStatus,
    LeaderRole,
    Level,
    MilestoneKind,
    Nature,
)
from gongjian.projects.models import Project
from gongjian.projects.services import ProjectChildren, create_project, dekads_from_months

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The day of the speech the demo is modelled on; any fixed number would do, this one is easy to trace.
SEED = 20221201
DEMO_PASSWORD = "Gongjian@2026"
DEMO_SETTING = "demo_accounts"
TOTAL_INVESTMENT = 3_120_000_000  # 31.2亿元
ANNUAL_PLAN = 1_038_000_000  # 10.38亿元
YUAN_PER_MILLION = 1_000_000


class DemoError(Exception):
    """The demo cannot be loaded; ``str(exc)`` says why and what to do."""


class DemoAlreadyLoaded(DemoError):
    """The database already holds a registry, which the demo would mix with or overwrite."""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    name: str
    unit: str


@dataclass(frozen=True)
class DemoSummary:
    """What was built, for the command to print and the tests to check."""

    year: int
    as_of: date
    projects: int
    new: int
    continuing: int
    industry: int
    commerce: int
    total_investment: int
    annual_plan: int
    regions: int
    units: int
    enterprises: int
    people: int
    accounts: list[DemoAccount] = field(default_factory=list)
    password: str = DEMO_PASSWORD


# ---------------------------------------------------------------------------------------------------------------
# The district on paper. Names are invented where the speech gives none; codes below 320311 are made up.
# ---------------------------------------------------------------------------------------------------------------

PROVINCE = ("320000", "江苏省")
CITY = ("320300", "徐州市")
DISTRICT = ("320311", "泉山区")

# Street (9-digit code) → communities and villages (the statistics bureau numbers 居委会 from 001, 村委会 from 201).
# Each street also names the roads its project locations are described by.
STREETS = [
    ("001", "段庄街道", [("001", "段庄社区"), ("002", "奎西社区"), ("003", "三环西路社区")],
     ["三环西路", "段庄路", "奎河西路", "建国西路"]),
    ("002", "湖滨街道", [("001", "滨湖社区"), ("002", "湖北路社区"), ("003", "云龙湖社区")],
     ["湖北路", "湖东路", "解放南路", "和平大道"]),
    ("003", "七里沟街道", [("001", "中枢街社区"), ("002", "七里沟社区"), ("201", "韩山村")],
     ["中枢街", "韩山路", "西安北路", "七里沟路"]),
    ("004", "金山街道", [("001", "金山社区"), ("201", "杏山子村"), ("202", "双山子村")],
     ["金山东路", "杏山子大道", "双山路", "迎宾大道"]),
    ("005", "泰山街道", [("001", "泰山社区"), ("002", "大学路社区"), ("201", "小珠山村"), ("202", "大郭庄村")],
     ["大学路", "泰山路", "小珠山路", "汉源大道"]),
]

# (short name, full name, kind). Short names are the keys the tables below use.
LEADERSHIP_UNITS = [
    ("区委", "中共徐州市泉山区委员会"),
    ("区人大", "徐州市泉山区人民代表大会常务委员会"),
    ("区政府", "徐州市泉山区人民政府"),
    ("区政协", "中国人民政治协商会议徐州市泉山区委员会"),
]
DEPARTMENTS = [
    ("发改局", "泉山区发展和改革局"),
    ("工信局", "泉山区工业和信息化局"),
    ("商务局", "泉山区商务局"),
    ("住建局", "泉山区住房和城乡建设局"),
    ("自然资源和规划局", "徐州市自然资源和规划局泉山分局"),
    ("生态环境局", "徐州市泉山生态环境局"),
    ("财政局", "泉山区财政局"),
    ("招商局", "泉山区招商局"),
    ("行政审批局", "泉山区行政审批局"),
]
# (short, name, site): the three carriers of 载体招商 the speech names. Every industrial project sits in one of them;
# the science park extends onto the land cleared at 小珠山, the private park onto that at 双山子.
PARKS = [
    ("矿大园", "中国矿大—高校科技园", "大学路社区"),
    ("医疗器械园", "医疗器械电子高科技园", "金山社区"),
    ("杏山子园", "杏山子民营工业园", "杏山子村"),
]
HEADQUARTERS = [
    ("段庄商贸城指挥部", "段庄商贸城建设指挥部", "段庄社区"),
    ("中枢步行街指挥部", "中枢商业步行街建设指挥部", "中枢街社区"),
    ("中山大厦指挥部", "中山大厦建设指挥部", "湖北路社区"),
    ("医疗器械园指挥部", "医疗器械电子高科技园建设指挥部", "金山社区"),
    ("杏山子园指挥部", "杏山子民营工业园建设指挥部", "杏山子村"),
    ("韩山片区指挥部", "韩山旧村改造及滨湖花园建设指挥部", "韩山村"),
]
# (short, name, parent unit, village): the teams on the demolition sites (小珠山、杏山子拆迁, 韩山旧村改造).
SERVICE_TEAMS = [
    ("小珠山工作队", "小珠山片区征迁服务工作队", "泰山街道", "小珠山村"),
    ("杏山子工作队", "杏山子片区征迁服务工作队", "杏山子园指挥部", "杏山子村"),
    ("韩山工作队", "韩山旧村改造征迁服务工作队", "韩山片区指挥部", "韩山村"),
]
# (short, name, site, state-owned): the owners of the projects.
ENTERPRISES = [
    ("城投集团", "徐州市泉山城市建设投资集团有限公司", "湖北路社区", True),
    ("段庄置业", "徐州段庄商贸城置业有限公司", "段庄社区", False),
    ("中山置业", "徐州中山大厦置业有限公司", "湖北路社区", False),
    ("泉润冷链", "徐州泉润冷链物流有限公司", "双山子村", False),
    ("双山建材", "徐州双山建材市场管理有限公司", "双山子村", False),
    ("金山汽贸", "徐州金山汽车贸易有限公司", "金山社区", False),
    ("云仓供应链", "徐州云仓供应链管理有限公司", "三环西路社区", False),
    ("矿大科发", "徐州矿大科技园发展有限公司", "大学路社区", True),
    ("锂源新能源", "徐州锂源新能源材料有限公司", "杏山子村", False),
    ("康泰影像", "徐州康泰医疗影像设备有限公司", "金山社区", False),
    ("安邦医疗", "徐州安邦医疗用品有限公司", "金山社区", False),
    ("华芯电子", "徐州华芯电子科技有限公司", "杏山子村", False),
    ("矿安智能", "徐州矿安智能科技有限公司", "大学路社区", False),
    ("中矿智控", "徐州中矿智控装备有限公司", "大学路社区", False),
    ("恒力液压", "徐州恒力液压科技有限公司", "杏山子村", False),
    ("精铸机械", "徐州精铸机械有限公司", "双山子村", False),
    ("泉塑新材", "徐州泉塑新材料科技有限公司", "杏山子村", False),
    ("绿源环保", "徐州绿源环保装备有限公司", "小珠山村", False),
    ("晶阳光伏", "徐州晶阳光伏材料有限公司", "小珠山村", False),
    ("禾丰食品", "徐州禾丰食品有限公司", "双山子村", False),
    ("康源生物", "徐州康源生物制药有限公司", "金山社区", False),
    ("驰骋汽配", "徐州驰骋汽车零部件有限公司", "杏山子村", False),
    ("锦泰纺织", "徐州锦泰纺织科技有限公司", "杏山子村", False),
    ("泉缆电缆", "徐州泉缆电缆有限公司", "双山子村", False),
]

# The four leadership bodies (区四套班子). (name, post, body, unit, villages taken under 分包村居). 王书记 is the
# one person the speech names; the district head gives the speech and is the principal leader of the demo.
LEADERS = [
    ("王立群", "区委书记", LeadershipBody.PARTY, "区委", []),
    ("陈志远", "区委副书记、区长", LeadershipBody.GOVERNMENT, "区政府", []),
    ("杨春华", "区委副书记", LeadershipBody.PARTY, "区委", ["段庄社区"]),
    ("刘建华", "区委常委、常务副区长", LeadershipBody.GOVERNMENT, "区政府", ["韩山村"]),
    ("赵明", "副区长", LeadershipBody.GOVERNMENT, "区政府", ["杏山子村"]),
    ("孙丽", "副区长", LeadershipBody.GOVERNMENT, "区政府", ["双山子村"]),
    ("周海涛", "副区长", LeadershipBody.GOVERNMENT, "区政府", ["小珠山村"]),
    ("吴国庆", "区人大常委会主任", LeadershipBody.CONGRESS, "区人大", ["杏山子村"]),
    ("郑玉梅", "区人大常委会副主任", LeadershipBody.CONGRESS, "区人大", ["小珠山村"]),
    ("冯德胜", "区政协主席", LeadershipBody.CPPCC, "区政协", ["双山子村"]),
    ("何静", "区政协副主席", LeadershipBody.CPPCC, "区政协", ["韩山村"]),
]
PRINCIPALS = {"王立群", "陈志远"}

# Posts filled in every unit of a kind; the first one heads the unit.
POSTS = {
    UnitKind.DEPARTMENT: ["局长", "项目联络员"],
    UnitKind.STREET: ["党工委书记", "办事处主任", "项目联络员"],
    UnitKind.PARK: ["管委会主任", "项目联络员"],
    UnitKind.HEADQUARTERS: ["指挥长", "综合协调组组长"],
    UnitKind.SERVICE_TEAM: ["队长", "队员"],
}
EXTRA_POSTS = {
    "发改局": ["区重点项目办公室主任", "信息中心系统管理员", "信息中心安全管理员", "信息中心审计管理员"],
    "工信局": ["规划投资科科长"],
}

# One account per role: (username, role, person key "unit/post" or a leader's name). The reporter and reviewer
# sit in 工信局, so their scope is that bureau's projects; the leader is the 副区长 for industry.
ACCOUNTS = [
    ("office", Role.PROJECT_OFFICE, "发改局/区重点项目办公室主任"),
    ("reporter", Role.UNIT_REPORTER, "工信局/项目联络员"),
    ("reviewer", Role.UNIT_REVIEWER, "工信局/规划投资科科长"),
    ("leader", Role.SUPERVISING_LEADER, "赵明"),
    ("evaluator", Role.EVALUATOR, "商务局/局长"),
    ("team", Role.SERVICE_TEAM, "小珠山工作队/队员"),
    ("principal", Role.PRINCIPAL_LEADER, "陈志远"),
    ("sysadmin", Role.SYSTEM_ADMIN, "发改局/信息中心系统管理员"),
    ("secadmin", Role.SECURITY_ADMIN, "发改局/信息中心安全管理员"),
    ("auditor", Role.AUDIT_ADMIN, "发改局/信息中心审计管理员"),
]
DEMO_USERNAMES = [username for username, _role, _person in ACCOUNTS]


@dataclass(frozen=True)
class ProjectSpec:
    """One of the 36 projects as the registry clerk would write it down.

    ``size`` is a relative weight (about 万元); the 36 are scaled together to exactly 31.2亿元. ``trade`` is the
    two-digit 国民经济行业 division used in the national project code.
    """

    name: str
    category: str
    nature: str
    level: str
    size: int
    site: str
    trade: str
    owner: str
    responsible: str
    leader: str
    content: str
    park: str = ""
    hq: str = ""
    foreign_usd: int = 0
    funding: str = Funding.SOCIAL
    new_land: bool = True


# Shorthands that keep the table below one project to a few lines.
IND, COM = Category.INDUSTRY, Category.COMMERCE
NEW, CONT = Nature.NEW, Nature.CONTINUING
PROV, MUNI, DIST = Level.PROVINCE, Level.CITY, Level.DISTRICT

PROJECTS = [
    ProjectSpec("段庄商贸城", COM, CONT, MUNI, 45000, "段庄社区", "51", "段庄置业", "段庄街道", "王立群",
                "总建筑面积约18万平方米，建设五金机电、建材家居、小商品三大交易区及仓储配送中心、停车场等配套设施。",
                hq="段庄商贸城指挥部"),
    ProjectSpec("中枢商业步行街", COM, NEW, DIST, 18000, "中枢街社区", "52", "城投集团", "七里沟街道", "陈志远",
                "改造提升中枢街沿线商业街区约1.2公里，建设步行街、地下停车场及街区亮化、绿化、智慧管理工程。",
                hq="中枢步行街指挥部", funding=Funding.MIXED, new_land=False),
    ProjectSpec("中山大厦", COM, CONT, MUNI, 26000, "湖北路社区", "70", "中山置业", "住建局", "刘建华",
                "建设地上28层、地下2层的商务办公及酒店综合体，总建筑面积约6.5万平方米。",
                hq="中山大厦指挥部"),
    ProjectSpec("新能源电池材料项目", IND, NEW, PROV, 42000, "杏山子村", "38", "锂源新能源", "工信局", "刘建华",
                "建设年产2万吨锂电池正极材料生产线及研发中心，购置烧结炉、粉碎分级等设备320台（套）。",
                park="杏山子园", hq="杏山子园指挥部"),
    ProjectSpec("医疗器械产业园标准厂房", IND, NEW, MUNI, 16000, "金山社区", "47", "城投集团", "医疗器械园",
                "赵明", "建设标准厂房12栋及研发楼、检测中心，总建筑面积约11万平方米，面向医疗器械企业租售。",
                park="医疗器械园", hq="医疗器械园指挥部", funding=Funding.MIXED),
    ProjectSpec("医用影像设备生产项目", IND, NEW, MUNI, 14000, "金山社区", "35", "康泰影像", "工信局", "赵明",
                "建设数字化X射线、超声影像设备生产线4条及洁净车间，年产医用影像设备3000台。",
                park="医疗器械园", hq="医疗器械园指挥部", foreign_usd=18_000_000),
    ProjectSpec("高端电子元器件生产基地", IND, CONT, PROV, 22000, "杏山子村", "39", "华芯电子", "工信局", "赵明",
                "建设片式电感、电容器SMT生产线8条，年产高端电子元器件30亿只。",
                park="杏山子园", hq="杏山子园指挥部"),
    ProjectSpec("滨湖花园商业综合体", COM, NEW, DIST, 12000, "滨湖社区", "52", "城投集团", "湖滨街道", "孙丽",
                "建设滨湖花园小区配套商业综合体，总建筑面积约4.2万平方米，含超市、餐饮、社区服务中心。",
                hq="韩山片区指挥部"),
    ProjectSpec("矿山安全监测装备产业化项目", IND, NEW, DIST, 8000, "大学路社区", "35", "矿安智能", "矿大园",
                "吴国庆", "依托中国矿业大学科研成果，建设矿山安全监测监控装备生产线及中试基地。", park="矿大园"),
    ProjectSpec("煤矿智能化装备研发生产基地", IND, CONT, MUNI, 15000, "大学路社区", "35", "中矿智控", "工信局",
                "刘建华", "建设煤矿智能综采控制系统、巡检机器人研发中心及生产车间，年产智能化装备1200台（套）。",
                park="矿大园"),
    ProjectSpec("工程机械液压件生产项目", IND, NEW, DIST, 12000, "杏山子村", "34", "恒力液压", "工信局", "周海涛",
                "为工程机械主机配套，建设液压油缸、液压阀生产线6条，年产液压件15万件。",
                park="杏山子园", hq="杏山子园指挥部"),
    ProjectSpec("韩山旧村改造配套商业街区", COM, NEW, DIST, 9000, "韩山村", "52", "城投集团", "七里沟街道",
                "周海涛", "结合韩山旧村改造，建设临街商业用房及农贸市场，总建筑面积约2.8万平方米。",
                hq="韩山片区指挥部", funding=Funding.GOVERNMENT),
    ProjectSpec("工程机械配套精密铸件项目", IND, CONT, DIST, 9000, "双山子村", "33", "精铸机械", "金山街道",
                "冯德胜", "建设消失模精密铸造生产线3条，年产工程机械配套铸件5万吨。", park="杏山子园"),
    ProjectSpec("泉山农副产品冷链物流中心", COM, NEW, DIST, 15000, "双山子村", "59", "泉润冷链", "商务局",
                "吴国庆", "建设冷库5万吨及农副产品分拣、配送中心、交易大厅和信息平台。"),
    ProjectSpec("高分子新材料项目", IND, NEW, DIST, 10000, "杏山子村", "29", "泉塑新材", "招商局", "郑玉梅",
                "建设改性工程塑料生产线10条，年产高分子新材料8万吨。",
                park="杏山子园", hq="杏山子园指挥部", foreign_usd=6_500_000),
    ProjectSpec("节能环保装备制造项目", IND, NEW, DIST, 8500, "小珠山村", "35", "绿源环保", "泰山街道", "何静",
                "在小珠山片区拆迁腾出的土地上建设除尘脱硫、污水处理成套装备生产车间。", park="矿大园"),
    ProjectSpec("双山子建材家居物流园", COM, NEW, DIST, 11000, "双山子村", "51", "双山建材", "金山街道", "冯德胜",
                "结合双山子拆迁，建设建材家居展示交易中心、仓储物流中心及配套停车场。"),
    ProjectSpec("光伏组件封装材料项目", IND, NEW, DIST, 11000, "小珠山村", "38", "晶阳光伏", "工信局", "赵明",
                "建设光伏组件封装胶膜、背板生产线12条，年产封装材料1.5亿平方米。", park="矿大园"),
    ProjectSpec("金山汽车商贸园", COM, CONT, DIST, 13000, "金山社区", "52", "金山汽贸", "商务局", "孙丽",
                "建设汽车品牌4S店集群、二手车交易市场及汽车检测维修中心。"),
    ProjectSpec("智能电气成套设备项目", IND, CONT, DIST, 7500, "金山社区", "38", "华芯电子", "工信局", "杨春华",
                "建设智能开关柜、箱式变电站生产线及试验中心，年产智能电气成套设备6000台（套）。",
                park="医疗器械园", hq="医疗器械园指挥部"),
    ProjectSpec("中枢国际酒店", COM, NEW, DIST, 10000, "中枢街社区", "61", "中山置业", "商务局", "陈志远",
                "建设客房260间的四星级酒店及会议中心、餐饮配套，总建筑面积约3.5万平方米。",
                hq="中枢步行街指挥部"),
    ProjectSpec("绿色食品精深加工项目", IND, NEW, DIST, 6000, "双山子村", "14", "禾丰食品", "金山街道", "王立群",
                "建设速冻面米制品、调理食品生产线5条及冷库，年加工绿色食品3万吨。", park="杏山子园"),
    ProjectSpec("段庄电商物流产业园", COM, NEW, DIST, 8000, "三环西路社区", "59", "云仓供应链", "段庄街道",
                "吴国庆", "建设电商仓储分拨中心、直播电商基地及配套办公用房，总建筑面积约4万平方米。",
                hq="段庄商贸城指挥部"),
    ProjectSpec("一次性医用耗材生产基地", IND, NEW, DIST, 7000, "金山社区", "35", "安邦医疗", "医疗器械园",
                "杨春华", "建设十万级洁净车间及输注器具、采血器具生产线，年产一次性医用耗材5亿支。",
                park="医疗器械园", hq="医疗器械园指挥部"),
    ProjectSpec("功能性面料生产线项目", IND, NEW, DIST, 5000, "杏山子村", "17", "锦泰纺织", "招商局", "吴国庆",
                "建设功能性纺织面料织造、后整理生产线，年产功能性面料2000万米。",
                park="杏山子园", foreign_usd=3_000_000, new_land=False),
    ProjectSpec("装配式建筑构件生产基地", IND, NEW, DIST, 9000, "小珠山村", "30", "城投集团", "住建局", "周海涛",
                "建设预制混凝土叠合板、楼梯、墙板生产线4条，年产装配式建筑构件15万立方米。",
                park="矿大园", funding=Funding.MIXED),
    ProjectSpec("生物医药制剂生产项目", IND, NEW, MUNI, 13000, "金山社区", "27", "康源生物", "工信局", "刘建华",
                "建设符合GMP要求的口服固体制剂、小容量注射剂车间及质检研发中心。",
                park="医疗器械园", hq="医疗器械园指挥部"),
    ProjectSpec("医用敷料生产线项目", IND, CONT, DIST, 4500, "金山社区", "27", "安邦医疗", "医疗器械园", "孙丽",
                "新建医用敷料、医用防护用品生产线6条，年产医用敷料2亿片。",
                park="医疗器械园", new_land=False),
    ProjectSpec("泉山家居建材广场二期", COM, CONT, DIST, 9500, "奎西社区", "52", "段庄置业", "段庄街道", "郑玉梅",
                "建设家居建材展示交易楼两栋，总建筑面积约5万平方米。", hq="段庄商贸城指挥部"),
    ProjectSpec("康复辅具研发生产项目", IND, NEW, DIST, 4000, "大学路社区", "35", "矿安智能", "矿大园", "郑玉梅",
                "建设智能康复机器人、助行辅具研发中心及生产线，年产康复辅具2万台（套）。",
                park="矿大园", new_land=False),
    ProjectSpec("新能源汽车零部件生产项目", IND, NEW, DIST, 14000, "杏山子村", "36", "驰骋汽配", "工信局",
                "陈志远", "建设新能源汽车电驱壳体、轻量化底盘件压铸及机加工生产线，年产零部件60万套。",
                park="杏山子园", hq="杏山子园指挥部", foreign_usd=12_000_000),
    ProjectSpec("智能传感器研发生产项目", IND, CONT, DIST, 6500, "大学路社区", "39", "矿安智能", "矿大园", "何静",
                "建设MEMS传感器封装测试生产线及研发中心，年产智能传感器500万只。", park="矿大园"),
    ProjectSpec("湖滨农贸市场标准化改造", COM, NEW, DIST, 2500, "云龙湖社区", "52", "城投集团", "湖滨街道",
                "何静", "对湖滨农贸市场进行标准化改造，新建农残检测室、冷链设施和智慧管理系统。",
                funding=Funding.GOVERNMENT, new_land=False),
    ProjectSpec("工业互联网平台及数据中心项目", IND, CONT, DIST, 8000, "大学路社区", "64", "矿大科发", "工信局",
                "冯德胜", "建设服务工程机械、装备制造企业的工业互联网平台及2000个机柜的数据中心。", park="矿大园"),
    ProjectSpec("矿大科技园综合服务中心", COM, NEW, DIST, 6000, "大学路社区", "72", "矿大科发", "矿大园", "杨春华",
                "建设科技园孵化、路演、展示交易及人才公寓等综合服务设施，总建筑面积约3万平方米。", park="矿大园"),
    ProjectSpec("特种电缆生产项目", IND, NEW, DIST, 7000, "双山子村", "38", "泉缆电缆", "招商局", "孙丽",
                "建设矿用、轨道交通用特种电缆生产线8条，年产特种电缆1.2万公里。", park="杏山子园"),
]

# 开工 is early in the year for most projects; February is rare because of the Spring Festival.
NEW_START_MONTHS = [2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 7, 8]
# How investment usually falls over a year: little around the Spring Festival (Jan/Feb), the spring push, a dip in
# the summer heat and rain, the autumn push, and December wrapping up.
SEASON = [3, 2, 8, 10, 11, 10, 8, 7, 10, 11, 10, 8]
# Before 开工 a new project spends only on design, land and site preparation.
PRE_START_SHARE = 0.15

MILESTONES = [
    (MilestoneKind.DELISTING, "摘牌"),
    (MilestoneKind.START, "开工"),
    (MilestoneKind.TOPPING_OUT, "主体封顶"),
    (MilestoneKind.EQUIPMENT, "设备安装"),
    (MilestoneKind.COMPLETION, "竣工"),
    (MilestoneKind.PRODUCTION, "投产"),
]
# Shops do not install production lines or go into production; they fit out and open.
COMMERCE_MILESTONE_NAMES = {MilestoneKind.EQUIPMENT: "机电安装及装饰装修", MilestoneKind.PRODUCTION: "开业运营"}
HISTORY = {MilestoneKind.DELISTING, MilestoneKind.START}
# What the reporter writes next to a node finished well behind plan.
DELAY_REASONS = {
    MilestoneKind.DELISTING: ["征迁扫尾影响交地", "土地挂牌程序延后"],
    MilestoneKind.START: ["施工许可办理滞后", "征迁扫尾影响进场", "春节后复工较晚"],
    MilestoneKind.TOPPING_OUT: ["雨季影响施工", "设计方案调整"],
    MilestoneKind.EQUIPMENT: ["设备到货延迟", "资金到位滞后"],
    MilestoneKind.COMPLETION: ["配套工程未完成", "资金到位滞后"],
    MilestoneKind.PRODUCTION: ["试生产调试延长", "生产许可办理中"],
}

# (kind, days before the planned start it is due, authority). The order is the order they are obtained in.
APPROVALS = [
    (ApprovalKind.PROJECT_APPROVAL, 160, "泉山区行政审批局"),
    (ApprovalKind.LAND_PRE_REVIEW, 130, "徐州市自然资源和规划局"),
    (ApprovalKind.LAND_PLANNING, 100, "徐州市自然资源和规划局"),
    (ApprovalKind.ENVIRONMENT, 80, "徐州市生态环境局"),
    (ApprovalKind.ENGINEERING_PLANNING, 45, "徐州市自然资源和规划局"),
    (ApprovalKind.CONSTRUCTION_PERMIT, 12, "泉山区行政审批局"),
]
LAND_APPROVALS = {ApprovalKind.LAND_PRE_REVIEW, ApprovalKind.LAND_PLANNING}

# How far behind a project runs: days late for milestones and approvals. Most run on time; some slip; a few lag
# badly, so the traffic lights and the assessment have something to show.
HEALTH = {"on_track": (-7, 3), "slipping": (5, 40), "lagging": (20, 90)}
HEALTH_WEIGHTS = {"on_track": 60, "slipping": 25, "lagging": 15}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
GIVEN_NAMES = [
    "建国", "志强", "海涛", "立新", "国栋", "文杰", "晓东", "振华", "永刚", "卫东", "俊峰", "宏伟", "明辉", "学军",
    "长江", "德明", "浩然", "子豪", "宇航", "思远", "鹏飞", "家豪", "天宇", "博文", "一鸣", "晨阳", "景行", "承泽",
    "嘉诚", "启航", "伟", "刚", "勇", "磊", "军", "杰", "涛", "斌", "超", "鹏", "丽娟", "海燕",
    "秀英", "桂兰", "玉梅", "晓燕", "丽华", "红梅", "春燕", "雪梅", "慧敏", "静怡", "欣怡", "雨涵", "梦琪", "思雨",
    "佳琪", "诗涵", "文静", "晓琳", "婷婷", "倩", "敏", "静", "丽", "艳", "娜", "芳", "颖", "琳",
]
MOBILE_PREFIXES = ["133", "135", "136", "138", "139", "150", "151", "152", "157", "158", "159", "177", "180",
                   "182", "187", "188", "199"]


def shanghai_today() -> date:
    return datetime.now(SHANGHAI).date()


def default_as_of(year: int, today: date | None = None) -> date:
    """The day the demo's history stops: today for the current year, the year's end for a past one, its first day
    for a future one. Milestones and approvals due before it are done (or late); later ones are still open."""
    today = today or shanghai_today()
    if year == today.year:
        return today
    return date(year, 12, 31) if year < today.year else date(year, 1, 1)


def load_demo(*, year: int | None = None, as_of: date | None = None, reset: bool = False) -> DemoSummary:
    """Build the demo district for ``year`` (default: this year in Asia/Shanghai) in one transaction.

    Refuses with :class:`DemoAlreadyLoaded` when the database already holds projects, units or the demo
    accounts, because mixing the demo into real data, or loading it twice, would make both meaningless. With
    ``reset=True`` it first deletes the business data (see :func:`delete_business_data`) and the demo accounts,
    then loads again.
    """
    year = year or shanghai_today().year
    as_of = as_of or default_as_of(year)
    if as_of.year != year:
        raise DemoError(f"The demo's progress date {as_of} must lie in its year {year}.")
    with transaction.atomic():
        if reset:
            delete_business_data()
            audit.record("demo.reset", note="business data and demo accounts deleted")
        else:
            _refuse_if_not_empty()
        summary = _DemoBuilder(year, as_of).build()
        # The demo writes organisation data in bulk; one event records that it happened and what it made.
        audit.record("demo.load", object_type="core.demo", object_repr=f"demo district {year}",
                     after={"year": year, "as_of": as_of.isoformat(), "projects": summary.projects},
                     only_changes=False)
        return summary


def _refuse_if_not_empty() -> None:
    projects = Project.objects.count()
    units = Unit.objects.count()
    users = list(User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True))
    if projects or units or users:
        found = f"{projects} projects and {units} units" if projects or units else f"the accounts {', '.join(users)}"
        raise DemoAlreadyLoaded(
            f"The database already holds {found}; the demo loads only into an empty registry. "
            "Run 'gongjian demo --reset' (load_demo(reset=True)) to delete them and load the demo again."
        )


# Apps whose rows are not business data: accounts and roles, the audit trail and settings, Django's own.
_KEPT_APPS = {"core", "accounts"}


def delete_business_data() -> None:
    """Delete the registry and everything hanging off it, plus the demo accounts and their login-page setting.

    Business data are the rows of every Gongjian domain app (organisation, projects and whatever later apps add)
    except regions, which are reference data (GB/T 2260) and are reused by the next load. Other accounts, the
    roles, the audit trail and other settings stay. Models are deleted in passes so that a model protected by
    another (a unit by its projects) goes once the other is gone; self-references are cut first.
    """
    pending = [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("gongjian.") and config.label not in _KEPT_APPS
        for model in config.get_models()
        if model is not Region
    ]
    for model in pending:
        for fk in model._meta.get_fields():
            if isinstance(fk, models.ForeignKey) and fk.related_model is model and fk.null:
                model._default_manager.update(**{fk.name: None})
    while pending:
        blocked = []
        for model in pending:
            try:
                model._default_manager.all().delete()
            except (models.ProtectedError, models.RestrictedError):
                blocked.append(model)
        if len(blocked) == len(pending):
            names = ", ".join(m._meta.label for m in blocked)
            raise DemoError(f"Cannot delete {names}: rows outside the business data still point at them.")
        pending = blocked
    User.objects.filter(username__in=DEMO_USERNAMES).delete()
    SystemSetting.objects.filter(key=DEMO_SETTING).delete()


def _add_days(day: date, days: float) -> date:
    return day + timedelta(days=round(days))


class _DemoBuilder:
    """Builds the district step by step; the random stream is consumed in one fixed order."""

    def __init__(self, year: int, as_of: date) -> None:
        self.year = year
        self.as_of = as_of
        self.rng = random.Random(SEED)
        self.regions: dict[str, Region] = {}
        self.units: dict[str, Unit] = {}
        self.people: dict[str, Person] = {}
        self.used_names: set[str] = {name for name, *_rest in LEADERS}
        self.credit_codes: set[str] = set()
        self.national_codes: set[str] = set()

    def build(self) -> DemoSummary:
        self.build_regions()
        self.build_units()
        self.build_people()
        projects, plans = self.build_projects()
        accounts = self.build_accounts()
        return DemoSummary(
            year=self.year,
            as_of=self.as_of,
            projects=len(projects),
            new=sum(p.nature == Nature.NEW for p in projects),
            continuing=sum(p.nature == Nature.CONTINUING for p in projects),
            industry=sum(p.category == Category.INDUSTRY for p in projects),
            commerce=sum(p.category == Category.COMMERCE for p in projects),
            total_investment=sum(p.total_investment for p in projects),
            annual_plan=sum(plans),
            regions=len(self.regions),
            units=len(self.units),
            enterprises=len(ENTERPRISES),
            people=len(self.people),
            accounts=accounts,
        )

    # -- organisation ------------------------------------------------------------------------------------------

    def region(self, code: str, name: str, parent: Region | None) -> Region:
        # Regions are reference data: an existing code (a loaded GB/T 2260 table, or a previous demo) is reused.
        region = Region.objects.filter(code=code).first()
        if region is None:
            region = Region(code=code, name=name, level=region_level(code).value, parent=parent)
            region.full_clean()
            region.save()
        self.regions[name] = region
        return region

    def build_regions(self) -> None:
        province = self.region(*PROVINCE, None)
        city = self.region(*CITY, province)
        district = self.region(*DISTRICT, city)
        for street_no, street_name, villages, _roads in STREETS:
            street = self.region(DISTRICT[0] + street_no, street_name, district)
            for village_no, village_name in villages:
                self.region(street.code + village_no, village_name, street)

    def unit(self, short: str, name: str, kind: str, region: Region, *, parent: Unit | None = None,
             credit_code: str = "") -> Unit:
        unit = Unit(name=name, short_name=short, kind=kind, region=region, parent=parent, credit_code=credit_code,
                    contact_phone=self.landline())
        unit.full_clean()
        unit.save()
        self.units[short] = unit
        return unit

    def build_units(self) -> None:
        district = self.regions[DISTRICT[1]]
        for short, name in LEADERSHIP_UNITS:
            self.unit(short, name, UnitKind.LEADERSHIP, district)
        for short, name in DEPARTMENTS:
            self.unit(short, name, UnitKind.DEPARTMENT, district)
        for _no, street, _villages, _roads in STREETS:
            self.unit(street, street, UnitKind.STREET, self.regions[street])
        for short, name, site in PARKS:
            self.unit(short, name, UnitKind.PARK, self.regions[site])
        for short, name, site in HEADQUARTERS:
            self.unit(short, name, UnitKind.HEADQUARTERS, self.regions[site])
        for short, name, parent, site in SERVICE_TEAMS:
            self.unit(short, name, UnitKind.SERVICE_TEAM, self.regions[site], parent=self.units[parent])
        for short, name, site, state_owned in ENTERPRISES:
            kind = UnitKind.STATE_ENTERPRISE if state_owned else UnitKind.ENTERPRISE
            self.unit(short, name, kind, self.regions[site], credit_code=self.credit_code())

    def credit_code(self) -> str:
        """A valid 统一社会信用代码 of a company registered in 泉山区: 9 (market regulation) 1 (enterprise),
        the district's code, a 组织机构代码 of the post-2015 "MA" series, and the GB 32100 check character."""
        while True:
            body = "MA" + "".join(self.rng.choice(CREDIT_CODE_CHARSET) for _ in range(6))
            code = make_credit_code("91" + DISTRICT[0] + make_org_code(body))
            if code not in self.credit_codes:
                self.credit_codes.add(code)
                return code

    def person_name(self) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES)
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def landline(self) -> str:
        return f"0516-8{self.rng.randrange(10**6):06d}"

    def build_people(self) -> None:
        leaders = []
        for name, post, body, unit, _villages in LEADERS:
            person = Person(name=name, post=post, leadership_body=body, unit=self.units[unit], mobile=self.mobile())
            leaders.append(person)
            self.people[name] = person
        staff = []
        for short, unit in self.units.items():
            for post in POSTS.get(unit.kind, []) + EXTRA_POSTS.get(short, []):
                person = Person(name=self.person_name(), post=post, unit=unit, mobile=self.mobile())
                staff.append(person)
                self.people[f"{short}/{post}"] = person
        for person in leaders + staff:
            person.full_clean()
        Person.objects.bulk_create(leaders + staff)
        # 分包村居 (context 003): leaders take the demolition villages; each service team works in its village.
        since = date(self.year, 1, 1)
        assignments = [
            VillageAssignment(person=self.people[name], region=self.regions[village], since=since)
            for name, *_rest, villages in LEADERS
            for village in villages
        ]
        for short, _name, _parent, village in SERVICE_TEAMS:
            for post in POSTS[UnitKind.SERVICE_TEAM]:
                assignments.append(VillageAssignment(person=self.people[f"{short}/{post}"],
                                                     region=self.regions[village], since=since))
        VillageAssignment.objects.bulk_create(assignments)

    # -- projects ----------------------------------------------------------------------------------------------

    def build_projects(self) -> tuple[list[Project], list[int]]:
        # 31.2亿 split by size to whole 百万元, so totals read like "3.74亿元"; the plan of the year to whole 万元.
        totals = [m * YUAN_PER_MILLION for m in split_by_weights(TOTAL_INVESTMENT // YUAN_PER_MILLION,
                                                                 [s.size for s in PROJECTS])]
        schedules = [self.schedule(spec) for spec in PROJECTS]
        shares = [self.plan_share(spec, start) for spec, (start, _end) in zip(PROJECTS, schedules, strict=True)]
        plans = [w * YUAN_PER_WAN for w in split_by_weights(
            ANNUAL_PLAN // YUAN_PER_WAN, [t * s for t, s in zip(totals, shares, strict=True)])]
        leaders = [name for name, *_rest in LEADERS]
        projects = []
        for spec, total, plan, (start, completion) in zip(PROJECTS, totals, plans, schedules, strict=True):
            health = self.rng.choices(list(HEALTH_WEIGHTS), weights=list(HEALTH_WEIGHTS.values()))[0]
            milestones = self.milestones(spec, start, completion, health)
            actual = {m["kind"]: m["actual_date"] for m in milestones}
            deputies = [n for n in leaders if n != spec.leader and n not in PRINCIPALS]
            links = [(self.people[spec.leader], LeaderRole.LEAD)]
            if self.rng.random() < 0.35:
                links.append((self.people[self.rng.choice(deputies)], LeaderRole.DEPUTY))
            fields = self.project_fields(spec, total, start, completion, actual)
            children = ProjectChildren(
                plan_year=self.year,
                plan_dekads=dekads_from_months(self.months(plan, spec, start)),
                leaders=links,
                milestones=milestones,
                approvals=self.approvals(spec, start, actual[MilestoneKind.START], health),
            )
            projects.append(create_project(fields, children, actor=None))
        return projects, plans

    def schedule(self, spec: ProjectSpec) -> tuple[date, date]:
        """Planned start and completion: continuing projects started last year, new ones start this spring or
        summer; shops and towers take longer to build than factories."""
        if spec.nature == Nature.CONTINUING:
            start = date(self.year - 1, self.rng.randint(3, 10), self.rng.randint(1, 28))
        else:
            start = date(self.year, self.rng.choice(NEW_START_MONTHS), self.rng.randint(1, 28))
        months = self.rng.randint(16, 30) if spec.category == Category.COMMERCE else self.rng.randint(10, 20)
        completion = _add_days(start, months * 30.4)
        # A continuing project still has this year's work ahead of it.
        completion = max(completion, date(self.year, self.rng.randint(6, 12), 28))
        return start, completion

    def plan_share(self, spec: ProjectSpec, start: date) -> float:
        """Roughly what part of the total a project plans to invest this year: a third or more for continuing
        projects in full swing, less for a new one the later in the year it starts."""
        if spec.nature == Nature.CONTINUING:
            return self.rng.uniform(0.35, 0.6)
        months_left = 13 - start.month
        return self.rng.uniform(0.25, 0.45) * (0.5 + months_left / 24)

    def months(self, plan: int, spec: ProjectSpec, start: date) -> list[int]:
        """The year's plan by month, in whole 万元, in the seasonal shape (less before a new project's start)."""
        weights = [
            share * (PRE_START_SHARE if spec.nature == Nature.NEW and month < start.month else 1)
            for month, share in enumerate(SEASON, start=1)
        ]
        return [w * YUAN_PER_WAN for w in split_by_weights(plan // YUAN_PER_WAN, weights)]

    def milestones(self, spec: ProjectSpec, start: date, completion: date, health: str) -> list[dict]:
        """Six nodes of physical progress; those due by ``as_of`` are done, on time or late as ``health`` says,
        or still open when the delay runs past ``as_of``. A node is never done before the one ahead of it.

        Every node draws its delay whether it is due or not, so that ``as_of`` changes progress only and not the
        names and amounts drawn after it."""
        span = (completion - start).days
        planned = {
            MilestoneKind.DELISTING: _add_days(start, -self.rng.randint(25, 70)),
            MilestoneKind.START: start,
            MilestoneKind.TOPPING_OUT: _add_days(start, span * self.rng.uniform(0.35, 0.45)),
            MilestoneKind.EQUIPMENT: _add_days(start, span * self.rng.uniform(0.6, 0.7)),
            MilestoneKind.COMPLETION: completion,
            MilestoneKind.PRODUCTION: _add_days(completion, self.rng.randint(20, 60)),
        }
        low, high = HEALTH[health]
        result, previous, open_ = [], None, False
        for kind, name in MILESTONES:
            due = planned[kind]
            delay, reason = self.rng.randint(low, high), self.rng.choice(DELAY_REASONS[kind])
            actual = None
            if not open_ and due <= self.as_of:
                candidate = _add_days(due, delay)
                if previous and candidate < previous:
                    candidate = previous
                if spec.nature == Nature.CONTINUING and kind in HISTORY:
                    # 续建 means it is already under way: land and start lie in last year, whatever the delay.
                    candidate = min(candidate, date(self.year - 1, 12, 31))
                actual = candidate if candidate <= self.as_of else None
            open_ = open_ or actual is None
            previous = actual or previous
            note = reason if actual and (actual - due).days > 15 else ""
            if kind == MilestoneKind.DELISTING and not spec.new_land:
                name = "场地交付"
            elif spec.category == Category.COMMERCE:
                name = COMMERCE_MILESTONE_NAMES.get(kind, name)
            result.append({"kind": kind, "name": name, "planned_date": due, "actual_date": actual, "note": note})
        return result

    def approvals(self, spec: ProjectSpec, start: date, actual_start: date | None, health: str) -> list[dict]:
        """前期手续 in the order they are obtained. A project that has started holds every permit, obtained before
        its start; one that has not is done up to a point, then one in progress, then the rest not started."""
        low, high = HEALTH[health]
        result, in_progress_seen = [], False
        for kind, lead_days, authority in APPROVALS:
            if kind == ApprovalKind.PROJECT_APPROVAL and spec.level != Level.DISTRICT:
                authority = "徐州市发展和改革委员会"
            item = {"kind": kind, "name": "", "status": ApprovalStatus.NOT_STARTED, "document_no": "",
                    "authority": authority, "planned_date": _add_days(start, -lead_days), "approved_on": None,
                    "note": ""}
            if kind in LAND_APPROVALS and not spec.new_land:
                item.update(status=ApprovalStatus.NOT_REQUIRED, planned_date=None, note="利用现有土地，无需办理")
                result.append(item)
                continue
            done_on = _add_days(item["planned_date"], self.rng.randint(low, high))
            serial = self.rng.randint(10, 400)
            if actual_start is not None:
                done_on = min(done_on, actual_start - timedelta(days=1))
            if actual_start is not None or (not in_progress_seen and done_on <= self.as_of):
                item.update(status=ApprovalStatus.DONE, approved_on=done_on,
                            document_no=self.document_no(kind, spec, done_on, serial))
            elif not in_progress_seen:
                item["status"] = ApprovalStatus.IN_PROGRESS
                in_progress_seen = True
            result.append(item)
        return result

    @staticmethod
    def document_no(kind: str, spec: ProjectSpec, day: date, n: int) -> str:
        """The number of the approval document, in the style each authority writes it."""
        y = day.year
        return {
            ApprovalKind.PROJECT_APPROVAL: f"泉行审备〔{y}〕{n}号" if spec.level == Level.DISTRICT
            else f"徐发改投资〔{y}〕{n}号",
            ApprovalKind.LAND_PRE_REVIEW: f"徐自然资预〔{y}〕{n}号",
            ApprovalKind.LAND_PLANNING: f"地字第{DISTRICT[0]}{y}{n:05d}号",
            ApprovalKind.ENVIRONMENT: (f"徐环项表〔{y}〕{n}号" if spec.category == Category.INDUSTRY
                                       else f"{y}{DISTRICT[0]}00000{n:03d}"),
            ApprovalKind.ENGINEERING_PLANNING: f"建字第{DISTRICT[0]}{y}{n:05d}号",
            ApprovalKind.CONSTRUCTION_PERMIT: f"{DISTRICT[0]}{day:%Y%m%d}{n % 100:02d}01",
        }[kind]

    def national_code(self, spec: ProjectSpec, start: date) -> str:
        """``YYYY-320311-DD-TT-NNNNNC`` in the year the project was registered (before its start): DD the trade,
        TT 01 for government approval (审批) or 03 for filing (备案). Made up, see the module docstring."""
        kind = "03" if spec.funding == Funding.SOCIAL else "01"
        while True:
            serial = f"{self.rng.randrange(10**5):05d}{self.rng.choice('0123456789X')}"
            code = f"{_add_days(start, -160).year}-{DISTRICT[0]}-{spec.trade}-{kind}-{serial}"
            if code not in self.national_codes:
                self.national_codes.add(code)
                return code

    def location(self, spec: ProjectSpec) -> str:
        site = self.regions[spec.site]
        street = site.parent
        roads = next(r for _no, name, _v, r in STREETS if name == street.name)
        first, second = self.rng.sample(roads, 2)
        corner = self.rng.choice(["东北", "东南", "西北", "西南"])
        park = f"（{self.units[spec.park].name}）" if spec.park else ""
        return f"{street.name}{site.name}{park}，{first}与{second}交叉口{corner}侧"

    def project_fields(self, spec: ProjectSpec, total: int, start: date, completion: date,
                       actual: dict[str, date | None]) -> dict:
        rng = self.rng
        wan = total // YUAN_PER_WAN
        if spec.category == Category.INDUSTRY:
            # Jiangsu asks industrial land for roughly 300万元 of investment per 亩; output 1.2–2.5 × investment.
            land = wan / rng.uniform(250, 450)
            output = total * rng.uniform(1.2, 2.5)
            jobs = output / rng.uniform(800_000, 1_500_000)
        else:
            land = wan / rng.uniform(600, 1200)
            output = total * rng.uniform(0.3, 1.0)
            jobs = output / rng.uniform(300_000, 600_000)
        if not spec.new_land:
            land, land_status = 0, LandStatus.NOT_NEEDED
        elif actual[MilestoneKind.DELISTING]:
            land_status = LandStatus.SUPPLIED
        else:
            land_status = LandStatus.PENDING
        big = total >= 150_000_000 or spec.level != Level.DISTRICT
        return {
            "national_code": self.national_code(spec, start),
            "name": spec.name,
            "category": spec.category,
            "nature": spec.nature,
            "level": spec.level,
            "funding": spec.funding,
            "year": self.year,
            "region": self.regions[spec.site],
            "park": self.units[spec.park] if spec.park else None,
            "location": self.location(spec),
            "owner": self.units[spec.owner],
            "responsible_unit": self.units[spec.responsible],
            "headquarters": self.units[spec.hq] if spec.hq else None,
            "commander": self.people[f"{spec.hq}/指挥长"] if spec.hq else None,
            "contact_person": self.person_name(),
            "contact_phone": self.mobile(),
            "content": spec.content,
            "total_investment": total,
            "planned_start": start,
            "planned_completion": completion,
            "actual_start": actual[MilestoneKind.START],
            "actual_completion": actual[MilestoneKind.COMPLETION],
            "land_area_mu": Decimal(round(land * 2) / 2).quantize(Decimal("0.01")),
            "land_status": land_status,
            "expected_output": round(output / YUAN_PER_WAN) * YUAN_PER_WAN,
            "expected_tax": round(output * rng.uniform(0.04, 0.08) / YUAN_PER_WAN) * YUAN_PER_WAN,
            "expected_jobs": round(jobs),
            "foreign_investment_usd": spec.foreign_usd,
            # 临时党支部 on the big sites (context 000): the party branch goes where the work is.
            "party_branch": f"{spec.name.removesuffix('项目')}项目临时党支部" if big else "",
            "party_secretary": self.person_name() if big else "",
        }

    # -- accounts ----------------------------------------------------------------------------------------------

    def build_accounts(self) -> list[DemoAccount]:
        accounts = []
        for username, role, person_key in ACCOUNTS:
            person = self.people[person_key]
            user = create_user(username=username, password=DEMO_PASSWORD, full_name=person.name, roles=[role])
            person.user = user
            person.save(update_fields=["user"])
            accounts.append(DemoAccount(username, str(role), person.name, person.unit.name))
        SystemSetting.objects.update_or_create(key=DEMO_SETTING, defaults={"value": {
            "password": DEMO_PASSWORD,
            "accounts": [{"username": a.username, "role": a.role, "name": a.name} for a in accounts],
        }})
        return accounts
