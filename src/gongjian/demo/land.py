"""The demo's land acquisition (征地拆迁, context/003): the science park's extension onto 小珠山, cleared by the
小珠山 service team in two villages — about 300 households with fictitious names and valid generated ID numbers,
a standard, and an autumn campaign of agreements: the cadres' households sign first (one is late, and flagged), a
few deviations approved by the headquarters with their reasons, one waiting for approval, a few households not
signed, two of them headed for the lawful path (依法裁决)."""

from __future__ import annotations

import io
import json
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from gongjian.accounts.models import User
from gongjian.core.identifiers import citizen_id_check_digit
from gongjian.core.models import next_serial
from gongjian.land import engine, services, wall, walldocs
from gongjian.land import standard as standards
from gongjian.land.choices import AgreementState, CadreRelation, Option, TaskState
from gongjian.land.models import (
    Agreement,
    Attachment,
    Building,
    Household,
    LawfulPath,
    Member,
    Parcel,
    Payment,
    Standard,
    Task,
    Village,
    WallList,
    add_months,
)
from gongjian.org.models import Person, Unit

STANDARD_FILE = Path(__file__).resolve().parent.parent / "land" / "default_standard.json"
VILLAGES = [  # (name, households, groups)
    ("小珠山村", 170, ["一组", "二组", "三组", "四组"]),
    ("大郭庄村", 130, ["一组", "二组", "三组"]),
]
DEVIATIONS = [
    ("评估机构复核：房屋装修评估价高于标准", 18_600),
    ("测绘复核更正面积，按复核结果补足", 9_200),
    ("五保户特殊困难救助，经指挥部研究同意", 20_000),
    ("养殖场停产损失按评估报告补偿", 36_400),
]
SHANGHAI = ZoneInfo("Asia/Shanghai")
LAWFUL_PATH_NOTE = "拒不签约，拟作出补偿决定，依法裁决"


def _id_number(rng: random.Random, used: set[str]) -> str:
    while True:
        born = date(1945, 1, 1) + timedelta(days=rng.randrange(365 * 58))
        body = f"320311{born:%Y%m%d}{rng.randrange(1000):03d}"
        number = body + citizen_id_check_digit(body)
        if number not in used:
            used.add(number)
            return number


def _name(rng: random.Random, surnames: str, given: list[str]) -> str:
    return rng.choice(surnames) + rng.choice(given)


def build_land(
    *, as_of: date, units: dict[str, Unit], people: dict[str, Person], surnames: str, given: list[str]
) -> Task:
    """The task, its villages, households, standard and agreements, up to ``as_of``."""
    rng = random.Random("land/小珠山")
    announced = as_of - timedelta(days=100)
    cut_offs = [announced + timedelta(days=d) for d in (40, 70, 100)]
    content = json.loads(STANDARD_FILE.read_text(encoding="utf-8"))
    for tier, by in zip(content["reward"], cut_offs, strict=True):
        tier["by"] = by.isoformat()
    task = Task.objects.create(
        name="中国矿大—高校科技园小珠山片区征地拆迁",
        park=units["矿大园"],
        team=units["小珠山工作队"],
        area_mu=Decimal("1268.50"),
        # the signing deadline passed ten days ago; the holdouts are on the lawful path (依法裁决)
        deadline=announced + timedelta(days=90),
        legal_basis="《中华人民共和国土地管理法》第四十七条、第四十八条；《国有土地上房屋征收与补偿条例》；区政府征收补偿安置方案",
        announcement_number=f"泉政征告〔{announced.year}〕3号",
        announcement_date=announced,
        state=TaskState.ACTIVE,
    )
    leaders = [people.get("周海涛"), people.get("赵明")]
    villages = [
        Village.objects.create(task=task, name=name, groups=groups, leader=leader, order=i)
        for i, ((name, _n, groups), leader) in enumerate(zip(VILLAGES, leaders, strict=True))
    ]
    kept = Standard.objects.create(
        task=task,
        version=1,
        name="小珠山片区征收补偿安置方案",
        document_number=f"泉政发〔{announced.year}〕21号",
        content=content,
    )
    std = standards.parse(content)
    cadres = [p for key, p in people.items() if key.startswith(("小珠山工作队/", "泰山街道/"))] or list(
        people.values()
    )[:5]
    used: set[str] = set()
    households: list[Household] = []
    children: dict[int, tuple[list[Member], list[Parcel], list[Building], list[Attachment]]] = {}
    number = 0
    for village, (_label, count, groups) in zip(villages, VILLAGES, strict=True):
        for _ in range(count):
            number += 1
            relation = CadreRelation.NONE
            if number % 17 == 3:
                relation = [CadreRelation.CADRE, CadreRelation.PARTY, CadreRelation.RELATIVE][number % 3]
            household = Household(
                task=task,
                village=village,
                group=rng.choice(groups),
                number=f"XZS{number:04d}",
                head_name=_name(rng, surnames, given),
                head_id_number=_id_number(rng, used),
                cadre_relation=relation,
                cadre=rng.choice(cadres) if relation else None,
                cadre_note="父子" if relation == CadreRelation.RELATIVE else "",
            )
            if rng.random() < 0.05:
                household.business_name = rng.choice(["农家乐", "小超市", "汽修铺", "养殖场"])
                household.business_area = Decimal(rng.randrange(2000, 12000)) / 100
            if rng.random() < 0.1:
                household.appraiser = "徐州衡信房地产土地评估有限公司"
                household.appraiser_registration = "苏估备字〔2021〕0318号"
                household.appraised_on = announced + timedelta(days=rng.randrange(5, 30))
            members = [
                Member(name=_name(rng, surnames, given), id_number=_id_number(rng, used), relation=rel)
                for rel in rng.sample(
                    ["spouse", "child", "child", "parent", "grandchild"], rng.randrange(0, 5)
                )
            ]
            parcels = [Parcel(category="arable", area_mu=Decimal(rng.randrange(50, 400)) / 100)]
            if rng.random() < 0.6:
                parcels.append(Parcel(category="homestead", area_mu=Decimal(rng.randrange(20, 60)) / 100))
            buildings = [
                Building(
                    grade=rng.choice(["brick_concrete", "brick_wood", "frame"]),
                    area=Decimal(rng.randrange(6000, 26000)) / 100,
                )
            ]
            if rng.random() < 0.15:
                buildings.append(
                    Building(
                        grade="simple",
                        area=Decimal(rng.randrange(1000, 6000)) / 100,
                        legal=False,
                        note="违法建设认定",
                    )
                )
            attachments = [Attachment(kind="tree", count=rng.randrange(1, 40))]
            if rng.random() < 0.3:
                attachments.append(Attachment(kind="well", count=1))
            if rng.random() < 0.2:
                attachments.append(Attachment(kind="grave", count=rng.randrange(1, 3)))
            if household.appraiser:  # the appraised value of the legal buildings, and the report kept
                legal_area = sum((b.area for b in buildings if b.legal), Decimal(0))
                household.appraised_amount = int(legal_area * 1850) // 100 * 100
                household.appraisal_report.save(
                    f"{household.number}评估报告.pdf", ContentFile(_appraisal_pdf(household)), save=False
                )
            households.append(household)
            children[number] = (members, parcels, buildings, attachments)
    Household.objects.bulk_create(households)
    rows: dict[type, list] = {Member: [], Parcel: [], Building: [], Attachment: []}
    for n, household in enumerate(households, start=1):
        for group in children[n]:
            for row in group:
                row.household = household
                rows[type(row)].append(row)
    for model, items in rows.items():
        model.objects.bulk_create(items)
    _campaign(task, kept, std, households, children, rng, as_of, announced)
    _wall_lists(task, villages, as_of)
    _lawful_paths(task, as_of)
    _payments(task, as_of)
    return task


def _payments(task: Task, as_of: date) -> None:
    """The money paid: 70 % a week after signing, the rest on moving out (or by now); one household's second
    tranche held back (its voucher not yet in), so the reconciliation shows one difference."""
    team_user = User.objects.filter(username="team").first()
    signed = (
        Agreement.objects.filter(household__task=task, state=AgreementState.SIGNED, agreed_total__gt=0)
        .select_related("household")
        .order_by("number")
    )
    payments = []
    for k, agreement in enumerate(signed):
        first = agreement.agreed_total * 7 // 10
        day = min(agreement.signed_on + timedelta(days=7), as_of)
        payments.append(
            Payment(
                agreement=agreement,
                tranche=1,
                amount=first,
                paid_on=day,
                voucher_number=f"付-{agreement.number}-1",
                recorded_by=team_user,
            )
        )
        if k == 7:
            continue  # the held-back tranche
        later = min(max(agreement.household.moved_on or as_of, day), as_of)
        payments.append(
            Payment(
                agreement=agreement,
                tranche=2,
                amount=agreement.agreed_total - first,
                paid_on=later,
                voucher_number=f"付-{agreement.number}-2",
                recorded_by=team_user,
            )
        )
    Payment.objects.bulk_create([p for p in payments if p.amount > 0])


def _appraisal_pdf(household: Household) -> bytes:
    """A one-page appraisal report (房地产估价报告) for the demo, in the CID font reportlab carries."""
    buffer = io.BytesIO()
    pdfmetrics.registerFont(UnicodeCIDFont(walldocs.PDF_FONT))
    sheet = canvas.Canvas(buffer, pagesize=A4)
    sheet.setTitle(f"{household.number} 房地产估价报告")
    sheet.setFont(walldocs.PDF_FONT, 18)
    sheet.drawCentredString(A4[0] / 2, A4[1] - 90, "房地产估价报告（演示）")
    sheet.setFont(walldocs.PDF_FONT, 12)
    lines = [
        f"估价对象：{household.number} 户房屋及附属物",
        f"估价机构：{household.appraiser}（{household.appraiser_registration}）",
        f"价值时点：{household.appraised_on:%Y年%m月%d日}",
        f"估价结果：人民币 {household.appraised_amount:,} 元",
    ]
    for k, line in enumerate(lines):
        sheet.drawString(72, A4[1] - 150 - 24 * k, line)
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def _lawful_paths(task: Task, as_of: date) -> None:
    """The two holdouts after the deadline: one decision made and not yet served (the reminder's work), one
    served with the notice of the rights to review (60 days) and to sue (6 months), their deadlines running."""
    holdouts = list(task.households.filter(note=LAWFUL_PATH_NOTE, signed_on__isnull=True).order_by("number"))
    year = as_of.year
    for k, household in enumerate(holdouts[:2]):
        decided = task.deadline + timedelta(days=2 + k)
        path = LawfulPath(
            household=household,
            decision_number=f"泉政征补决〔{year}〕{k + 1}号",
            decided_on=decided,
        )
        if k == 0:
            served = decided + timedelta(days=1)
            path.served_on = served
            path.review_deadline = served + timedelta(days=services.REVIEW_DAYS)
            path.suit_deadline = add_months(served, services.SUIT_MONTHS)
        path.save()


def _wall_lists(task: Task, villages: list[Village], as_of: date) -> None:
    """Both villages' lists published ten days ago (公开上墙); 小珠山村's corrected three days ago after a
    household's house was measured again (测绘复核), so its first version stays readable beside the second."""
    team_user = User.objects.filter(username="team").first()
    published = datetime.combine(as_of - timedelta(days=10), time(9), tzinfo=SHANGHAI)

    def publish(village: Village, at: datetime, reason: str = "") -> WallList:
        rows, totals = wall.build_rows(village)
        return WallList.objects.create(
            task=task,
            village=village,
            number=next_serial(f"land-wall-{task.pk}", 0),
            published_at=at,
            published_by=team_user,
            reason=reason,
            rows=rows,
            totals=totals,
        )

    for village in villages:
        publish(village, published)
    remeasured = (
        Building.objects.filter(household__village=villages[0], household__signed_on__isnull=True, legal=True)
        .select_related("household")
        .order_by("household__number")
        .first()
    )
    if remeasured is not None:
        remeasured.area += Decimal("12.50")
        remeasured.save(update_fields=["area"])
        publish(
            villages[0],
            published + timedelta(days=7),
            f"{remeasured.household.number}户房屋面积经测绘复核增加12.50㎡，予以更正",
        )


def _campaign(task, kept, std, households, children, rng, as_of, announced) -> None:
    """Who signed when: cadres in the first days (one late), the rest over the autumn, a few not at all."""
    team_user = User.objects.filter(username="team").first()
    commander = User.objects.filter(username="leader").first()
    cadre_days = task.cadre_first_days
    plans = []
    overdue_cadre_left = 1
    lawful_left = 2
    for n, household in enumerate(households, start=1):
        if household.cadre_relation:
            if overdue_cadre_left and n > 200:
                overdue_cadre_left -= 1
                continue  # one cadre relative still holds out: the cockpit flags it
            day = announced + timedelta(days=rng.randrange(2, cadre_days))
        else:
            if n % 23 == 0:
                if lawful_left:
                    lawful_left -= 1
                    household.note = LAWFUL_PATH_NOTE
                    household.save(update_fields=["note"])
                continue
            # earlier signings are likelier: the reward falls after each cut-off
            day = announced + timedelta(days=min(99, int(rng.triangular(cadre_days, 100, 30))))
        plans.append((household, min(day, as_of)))
    first = next_serial(f"land-agreement-{task.pk}", as_of.year, count=len(plans) + 1)
    deviating = {
        plans[i][0].pk: DEVIATIONS[k]
        for k, i in enumerate(range(20, len(plans), max(1, len(plans) // 5)))
        if k < len(DEVIATIONS)
    }
    agreements = []
    pending = plans[-1][0].pk if plans else None
    for k, (household, day) in enumerate(plans):
        members, parcels, buildings, attachments = children[int(household.number[3:])]
        facts = engine.Facts(
            persons=1 + len(members),
            parcels=tuple(engine.Parcel(p.category, p.area_mu) for p in parcels),
            buildings=tuple(engine.Building(b.grade, b.area, b.legal) for b in buildings),
            attachments=tuple(engine.Attachment(a.kind, a.count) for a in attachments),
            business_area=household.business_area,
        )
        option = Option.HOUSING if rng.random() < 0.3 else Option.MONEY
        area = (
            Decimal(40 * facts.persons + rng.choice([0, 0, 10, 20]))
            if option == Option.HOUSING
            else Decimal(0)
        )
        result = engine.compute(facts, std, day, engine.Choice(option, area))
        agreed, reason, state = result.total, "", AgreementState.SIGNED
        approved_by = approved_at = None
        if household.pk in deviating:
            reason, extra = deviating[household.pk]
            agreed += extra
            approved_by = commander
            approved_at = datetime.combine(day - timedelta(days=1), time(10), tzinfo=SHANGHAI)
        if household.pk == pending:
            # a deviation the headquarters has not decided yet: not signed
            reason, agreed, state = (
                "户主要求按邻村标准补偿，报指挥部研究",
                result.total + 50_000,
                AgreementState.PENDING,
            )
        agreements.append(
            Agreement(
                household=household,
                number=f"{task.pk}-{first + k:05d}",
                standard=kept,
                option=option,
                housing_area=area,
                computed_on=day,
                computed_total=result.total,
                lines=services.lines_json(result),
                agreed_total=agreed,
                deviation_reason=reason,
                state=state,
                approved_by=approved_by,
                approval_note="同意" if approved_by else "",
                approved_at=approved_at,
                signed_on=day if state == AgreementState.SIGNED else None,
                created_by=team_user,
            )
        )
        if state == AgreementState.SIGNED:
            household.signed_on = day
            moved = day + timedelta(days=rng.randrange(3, 25))
            if moved <= as_of and rng.random() < 0.85:
                household.moved_on = moved
                demolished = moved + timedelta(days=rng.randrange(2, 15))
                if demolished <= as_of and rng.random() < 0.7:
                    household.demolished_on = demolished
    Agreement.objects.bulk_create(agreements)
    Household.objects.bulk_update(households, ["signed_on", "moved_on", "demolished_on"])
