"""The compensation engine against a plain-Python reference written separately here, and its promises: the same
facts give the same amount, a later signer never gets more, 违建 is never paid, rounding as the standard says."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongjian.land import engine, standard

DOC = {
    "land": [
        {"code": "arable", "label": "耕地", "rate": 48000},
        {"code": "homestead", "label": "宅基地", "rate": 60000},
    ],
    "buildings": [
        {"code": "frame", "label": "框架", "rate": 1650},
        {"code": "brick_concrete", "label": "砖混", "rate": 1350},
        {"code": "simple", "label": "简易", "rate": 380},
    ],
    "attachments": [
        {"code": "tree", "label": "树木", "unit": "棵", "price": 80},
        {"code": "well", "label": "水井", "unit": "口", "price": 1500},
        {"code": "grave", "label": "坟墓", "unit": "座", "price": 3000},
    ],
    "relocation": {"per_household": 3000, "times": 2},
    "transition": {"per_person_month": 400, "months": 24},
    "business": {"per_sqm": 300},
    "options": {
        "money": {"per_sqm": 300},
        "housing": {"per_person_area": 40, "base_price": 1800, "extra_price": 4200},
    },
    "reward": [
        {"by": "2026-09-30", "per_sqm": 200, "fixed": 20000},
        {"by": "2026-10-31", "per_sqm": 100, "fixed": 10000},
        {"by": "2026-11-30", "per_sqm": 0, "fixed": 5000},
    ],
    "rounding": {"unit": 10, "mode": "half_up"},
}


def reference_total(doc, facts, signed_on, option="money", housing_area=Fraction(0)):
    """The standard read by hand: each amount rounded to the unit as the document says, summed."""
    unit, mode = doc["rounding"]["unit"], doc["rounding"]["mode"]

    def rnd(x: Fraction) -> int:
        q = x / unit
        if mode == "down":
            return math.floor(q) * unit
        if mode == "up":
            return math.ceil(q) * unit
        return math.floor(q + Fraction(1, 2)) * unit

    land = {r["code"]: r["rate"] for r in doc["land"]}
    built = {r["code"]: r["rate"] for r in doc["buildings"]}
    things = {r["code"]: r["price"] for r in doc["attachments"]}
    total = 0
    for category, area in facts["parcels"]:
        total += rnd(Fraction(area) * land[category])
    legal = Fraction(0)
    for grade, area, is_legal in facts["buildings"]:
        if is_legal:
            total += rnd(Fraction(area) * built[grade])
            legal += Fraction(area)
    for kind, count in facts["attachments"]:
        total += rnd(Fraction(count * things[kind]))
    if facts["business"] > 0:
        total += rnd(Fraction(facts["business"]) * doc["business"]["per_sqm"])
    if legal > 0:
        total += rnd(Fraction(doc["relocation"]["times"] * doc["relocation"]["per_household"]))
    if option == "money":
        if legal > 0:
            total += rnd(legal * doc["options"]["money"]["per_sqm"])
    else:
        housing = doc["options"]["housing"]
        if legal > 0 and doc["transition"]["months"]:
            total += rnd(
                Fraction(
                    facts["persons"] * doc["transition"]["months"] * doc["transition"]["per_person_month"]
                )
            )
        entitled = Fraction(housing["per_person_area"]) * facts["persons"]
        within, extra = min(housing_area, entitled), max(housing_area - entitled, Fraction(0))
        if within > 0:
            total -= rnd(within * housing["base_price"])
        if extra > 0:
            total -= rnd(extra * housing["extra_price"])
    if signed_on is not None and legal > 0:
        for tier in doc["reward"]:
            if signed_on <= date.fromisoformat(tier["by"]):
                total += rnd(legal * tier["per_sqm"]) + rnd(Fraction(tier["fixed"]))
                break
    return total


areas = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("800"), places=2)
mu = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("30"), places=2)
facts_st = st.fixed_dictionaries(
    {
        "persons": st.integers(1, 9),
        "parcels": st.lists(st.tuples(st.sampled_from(["arable", "homestead"]), mu), max_size=4),
        "buildings": st.lists(
            st.tuples(st.sampled_from(["frame", "brick_concrete", "simple"]), areas, st.booleans()),
            max_size=4,
        ),
        "attachments": st.lists(
            st.tuples(st.sampled_from(["tree", "well", "grave"]), st.integers(1, 200)), max_size=4
        ),
        "business": st.one_of(st.just(Decimal(0)), areas),
    }
)
days = st.dates(min_value=date(2026, 8, 1), max_value=date(2027, 3, 1))
rounding_st = st.fixed_dictionaries(
    {"unit": st.sampled_from([1, 10, 100]), "mode": st.sampled_from(["half_up", "down", "up"])}
)


def to_facts(raw) -> engine.Facts:
    return engine.Facts(
        persons=raw["persons"],
        parcels=tuple(engine.Parcel(c, a) for c, a in raw["parcels"]),
        buildings=tuple(engine.Building(g, a, legal) for g, a, legal in raw["buildings"]),
        attachments=tuple(engine.Attachment(k, n) for k, n in raw["attachments"]),
        business_area=raw["business"],
    )


def with_rounding(rounding):
    return {**DOC, "rounding": rounding}


@settings(deadline=None, max_examples=300)
@given(facts_st, st.one_of(st.none(), days), rounding_st)
def test_the_engine_agrees_with_the_reference_for_money_resettlement(raw, signed_on, rounding):
    doc = with_rounding(rounding)
    result = engine.compute(to_facts(raw), standard.parse(doc), signed_on)
    assert result.total == reference_total(doc, raw, signed_on)
    assert result.total == sum(line.amount for line in result.lines)


@settings(deadline=None, max_examples=200)
@given(facts_st, days, st.decimals(min_value=Decimal(0), max_value=Decimal(600), places=2))
def test_the_engine_agrees_with_the_reference_for_housing_resettlement(raw, signed_on, area):
    choice = engine.Choice("housing", area)
    result = engine.compute(to_facts(raw), standard.parse(DOC), signed_on, choice)
    assert result.total == reference_total(DOC, raw, signed_on, "housing", Fraction(area))


@settings(deadline=None, max_examples=200)
@given(facts_st, days, rounding_st)
def test_the_same_facts_give_the_same_amount(raw, signed_on, rounding):
    doc = with_rounding(rounding)
    first = engine.compute(to_facts(raw), standard.parse(doc), signed_on)
    # the same facts listed in another order, computed again from a fresh parse
    shuffled = {
        **raw,
        "buildings": list(reversed(raw["buildings"])),
        "parcels": list(reversed(raw["parcels"])),
    }
    again = engine.compute(to_facts(shuffled), standard.parse(doc), signed_on)
    assert first.total == again.total
    assert to_facts(raw).vector() == to_facts(shuffled).vector()


@settings(deadline=None, max_examples=300)
@given(facts_st, days, st.integers(1, 200), rounding_st)
def test_a_later_signer_never_gets_more_for_the_same_facts(raw, early, later_by, rounding):
    doc = with_rounding(rounding)
    facts = to_facts(raw)
    std = standard.parse(doc)
    assert (
        engine.compute(facts, std, early + timedelta(days=later_by)).total
        <= engine.compute(facts, std, early).total
    )
    # and signing at all never pays less than not having signed
    assert engine.compute(facts, std, None).total <= engine.compute(facts, std, early).total


@settings(deadline=None, max_examples=200)
@given(facts_st, days, st.decimals(min_value=Decimal("0.01"), max_value=Decimal(900), places=2))
def test_an_illegal_building_is_never_paid(raw, signed_on, area):
    facts = to_facts(raw)
    with_illegal = engine.Facts(
        facts.persons,
        facts.parcels,
        (*facts.buildings, engine.Building("frame", area, False)),
        facts.attachments,
        facts.business_area,
    )
    std = standard.parse(DOC)
    result = engine.compute(with_illegal, std, signed_on)
    assert result.total == engine.compute(facts, std, signed_on).total
    illegal = [line for line in result.lines if line.rule == "违法建筑不予补偿"]
    assert illegal and all(line.amount == 0 for line in illegal)


@settings(deadline=None, max_examples=200)
@given(facts_st, days, rounding_st)
def test_every_line_and_the_total_are_rounded_as_the_standard_says(raw, signed_on, rounding):
    result = engine.compute(to_facts(raw), standard.parse(with_rounding(rounding)), signed_on)
    assert all(line.amount % rounding["unit"] == 0 for line in result.lines)
    assert result.total % rounding["unit"] == 0


def test_a_household_signed_before_the_first_cut_off_gets_the_first_tier_line_by_line():
    facts = engine.Facts(
        persons=4,
        parcels=(engine.Parcel("arable", Decimal("2.35")),),
        buildings=(
            engine.Building("brick_concrete", Decimal("126.4")),
            engine.Building("simple", Decimal("30"), False),
        ),
        attachments=(engine.Attachment("tree", 12),),
    )
    result = engine.compute(facts, standard.parse(DOC), date(2026, 9, 20))
    amounts = {line.item: line.amount for line in result.lines}
    assert amounts["土地补偿·耕地"] == 112800  # 2.35 亩 × 48,000
    assert amounts["房屋补偿·砖混"] == 170640  # 126.4 ㎡ × 1,350
    assert amounts["违法建筑·简易"] == 0
    assert amounts["附属物·树木"] == 960
    assert amounts["搬迁费"] == 6000
    assert amounts["货币安置奖励"] == 37920
    assert amounts["提前签约奖励"] == 25280
    assert amounts["提前签约奖励（按户）"] == 20000
    assert result.total == 373600
    assert result.reward_by == date(2026, 9, 30)


def test_rounding_half_up_to_ten_yuan():
    assert engine.round_yuan(Decimal("12345"), 10, "half_up") == 12350
    assert engine.round_yuan(Decimal("12344.99"), 10, "half_up") == 12340
    assert engine.round_yuan(Decimal("12341"), 10, "up") == 12350
    assert engine.round_yuan(Decimal("12349"), 100, "down") == 12300


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {
                "reward": [
                    {"by": "2026-09-30", "per_sqm": 100, "fixed": 0},
                    {"by": "2026-10-31", "per_sqm": 200, "fixed": 0},
                ]
            },
            "reward[1]",
        ),
        (
            {
                "reward": [
                    {"by": "2026-10-30", "per_sqm": 100, "fixed": 0},
                    {"by": "2026-09-30", "per_sqm": 50, "fixed": 0},
                ]
            },
            "reward[1].by",
        ),
        ({"rounding": {"unit": 5, "mode": "half_up"}}, "rounding.unit"),
        ({"land": []}, "land"),
        ({"buildings": [{"code": "frame", "label": "框架", "rate": "贵"}]}, "buildings[0].rate"),
    ],
)
def test_a_standard_that_breaks_a_rule_names_the_field(change, field):
    with pytest.raises(standard.StandardError) as caught:
        standard.parse({**DOC, **change})
    assert caught.value.field == field


def test_a_category_the_standard_does_not_list_is_an_error_not_a_zero():
    facts = engine.Facts(persons=1, parcels=(engine.Parcel("forest", Decimal(1)),))
    with pytest.raises(engine.EngineError):
        engine.compute(facts, standard.parse(DOC), None)
