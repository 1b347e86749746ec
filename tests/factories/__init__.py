"""factory_boy factories shared by every test module."""

import datetime as dt

import factory
from django.contrib.auth.models import Group

from gongjian.accounts.models import User
from gongjian.accounts.roles import STAFF_ROLES
from gongjian.core.identifiers import make_credit_code, make_org_code
from gongjian.org.choices import RegionLevel, UnitKind
from gongjian.org.models import Person, Region, Unit
from gongjian.projects.choices import Category, Level, Nature
from gongjian.projects.models import AnnualPlan, Project

PASSWORD = "Test-Passw0rd!"


def current_version(obj) -> int:
    """The version of ``obj`` in the database now: what a page opened now would carry (optimistic locking)."""
    return type(obj)._default_manager.values_list("version", flat=True).get(pk=obj.pk)


def region(code: str, name: str | None = None) -> Region:
    """The region with ``code``, created with its parents (320000 → 320300 → 320311 → …) when missing."""
    from gongjian.core.identifiers import region_level, region_parent_code

    existing = Region.objects.filter(code=code).first()
    if existing:
        return existing
    parent_code = region_parent_code(code)
    parent = region(parent_code) if parent_code else None
    return Region.objects.create(
        code=code, name=name or f"区划{code}", level=region_level(code).value, parent=parent
    )


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "320311"
    name = "泉山区"
    level = RegionLevel.COUNTY

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return region(kwargs["code"], kwargs.get("name"))


def credit_code(n: int) -> str:
    return make_credit_code("91320311" + make_org_code(f"{n:08d}"))


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.DEPARTMENT
    region = factory.LazyFunction(lambda: region("320311", "泉山区"))

    @factory.lazy_attribute_sequence
    def credit_code(self, n):
        return credit_code(n + 1000) if self.kind in (UnitKind.ENTERPRISE, UnitKind.STATE_ENTERPRISE) else ""


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
            self.is_staff = any(role in STAFF_ROLES for role in extracted)
        self.save()


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"人员{n}")
    post = "科员"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"T-{n:05d}")
    name = factory.Sequence(lambda n: f"测试项目{n}")
    category = Category.INDUSTRY
    nature = Nature.NEW
    level = Level.DISTRICT
    year = 2026
    region = factory.LazyFunction(lambda: region("320311", "泉山区"))
    responsible_unit = factory.SubFactory(UnitFactory)
    total_investment = 100_000_000
    planned_start = dt.date(2026, 3, 1)
    planned_completion = dt.date(2027, 12, 31)

    @factory.post_generation
    def plan(self, create, extracted, **kwargs):
        """ProjectFactory(plan=[36 dekad amounts]) or plan=True for 1,000 万元 evenly."""
        if not create or not extracted:
            return
        dekads = (
            extracted
            if isinstance(extracted, list)
            else [10_000_000 // 36] * 35 + [10_000_000 - 35 * (10_000_000 // 36)]
        )
        AnnualPlan.objects.create(project=self, year=self.year, dekads=dekads)


def photo_bytes(
    *,
    taken: str | None = "2026:11:12 10:30:00",
    offset: str | None = "+08:00",
    at: tuple[float, float] | None = (34.261792, 117.184806),
    fmt: str = "JPEG",
    size: tuple[int, int] = (800, 600),
    colour: str = "green",
) -> bytes:
    """A photo as a phone writes it: EXIF time (with its UTC offset) and GPS position, either left out with None."""
    import io

    from PIL import Image

    def dms(value: float) -> tuple[float, float, float]:
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4)

    exif = Image.Exif()
    if taken:
        exif[0x0132] = taken
        exif.get_ifd(0x8769)[0x9003] = taken
        if offset:
            exif.get_ifd(0x8769)[0x9011] = offset
    if at:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = ("N" if at[0] >= 0 else "S"), dms(abs(at[0]))
        gps[3], gps[4] = ("E" if at[1] >= 0 else "W"), dms(abs(at[1]))
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt, exif=exif)
    return out.getvalue()
