"""The demo district's tables: regions, units, leaders, the 36 projects and the shapes their plans and
progress follow. :mod:`gongjian.demo.loader` turns them into records."""

from __future__ import annotations

from dataclasses import dataclass

from gongjian.accounts.roles import Role
from gongjian.org.choices import LeadershipBody, UnitKind
from gongjian.projects.choices import (
    ApprovalKind,
    Category,
    Funding,
    Level,
    MilestoneKind,
    Nature,
)

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
