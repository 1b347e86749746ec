import datetime as dt

import pytest
from django.utils import timezone

from gongjian.attraction import queries, services
from tests.factories import PersonFactory, UnitFactory


@pytest.fixture(autouse=True)
def figures_kept_as_counted(request):
    """After every test here that had the database, each unit's kept monthly figures (UnitMonth, which the
    funnel reads) are what its records count: a write that moved a figure and forgot to recount shows here."""
    uses = [name for name in ("transactional_db", "db") if name in request.fixturenames]
    if uses:
        request.getfixturevalue(uses[0])  # set up first, so torn down after the check
    yield
    if uses:
        assert queries.kept_months() == queries.counted_months()


@pytest.fixture
def units(db):
    return {"park": UnitFactory(name="高新区管委会"), "commerce": UnitFactory(name="商务局")}


@pytest.fixture
def reporter(make_user, units):
    return make_user("unit_reporter", unit=units["park"], username="park_staff")


@pytest.fixture
def other_reporter(make_user, units):
    return make_user("unit_reporter", unit=units["commerce"], username="commerce_staff")


@pytest.fixture
def leader(make_user):
    return make_user("principal_leader", username="mayor")


@pytest.fixture
def introducer(db, units):
    return PersonFactory(name="王引荐", unit=units["commerce"])


@pytest.fixture
def make_lead(units, introducer):
    """make_lead(stage="funded", unit=…, amount=…) → a lead moved through the links up to ``stage``."""

    def make(stage="talks", *, unit=None, amount=8_000_000, found_on=None, signed=None, **kwargs):
        today = timezone.localdate()
        found_on = found_on or today - dt.timedelta(days=20)
        lead = services.create_lead(
            actor=None,
            name=kwargs.pop("name", "新能源电池项目"),
            investor=kwargs.pop("investor", "某某新能源有限公司"),
            unit=unit or units["park"],
            amount=amount,
            found_on=found_on,
            introducer=introducer,
            contact_name="李联系",
            contact_phone="13812345678",
            **kwargs,
        )
        order = ["talks", "signed", "funded", "started", "producing"]
        at = order.index(stage)
        day = signed or found_on + dt.timedelta(days=1)
        if at >= 1:
            services.sign_lead(lead, on=day, amount=amount, actor=None, expected_version=lead.version)
            lead.refresh_from_db()
        if at >= 2:
            services.add_tranche(
                lead,
                date=day,
                amount=amount // 2,
                source="自有资金",
                actor=None,
                expected_version=lead.version,
            )
            lead.refresh_from_db()
        if at >= 3:
            services.start_lead(lead, on=day, actor=None, expected_version=lead.version)
            lead.refresh_from_db()
        if at >= 4:
            services.record_production(
                lead,
                year=day.year,
                output_value=1,
                tax=1,
                jobs=1,
                on=day,
                actor=None,
                expected_version=lead.version,
            )
            lead.refresh_from_db()
        return lead

    return make
