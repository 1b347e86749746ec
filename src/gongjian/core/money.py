"""Money: stored as whole yuan (元) in integers, shown in 万元 or 亿元.

Government investment figures are entered and reported in 万元 (10,000 yuan) with two decimals, and big
totals in 亿元 (100,000,000 yuan). Storing whole yuan as an ``int`` keeps sums exact (no float drift, no
Decimal scale to agree on) and fits a 64-bit database column. Two decimals of 万元 are 100 yuan, so
nothing people can type or see is lost.

Rounding is always half-up (四舍五入, away from zero for negatives), the way figures are rounded by hand,
never Python's default banker's rounding.

This module is plain Python (no Django) so that importers, reports and tests can use it anywhere.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Final

__all__ = [
    "MAX_YUAN",
    "YUAN_PER_WAN",
    "YUAN_PER_YI",
    "format_money",
    "format_wan",
    "format_yi",
    "split_by_weights",
    "split_evenly",
    "wan_to_yuan",
    "yuan_to_wan",
    "yuan_to_yi",
]

YUAN_PER_WAN: Final = 10_000
YUAN_PER_YI: Final = 100_000_000
#: The largest amount a signed 64-bit column (Django's ``BigIntegerField``) holds.
MAX_YUAN: Final = 2**63 - 1

# After normalising: optional sign, digits with or without proper thousands grouping, optional fraction,
# optional exponent (spreadsheets sometimes export 1.2E+03).
_NUMBER_RE: Final = re.compile(r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# A trailing unit people paste along with the number; only 万 — the unit the value is in — is accepted.
_UNIT_RE: Final = re.compile(r"万元?$")


def _invalid(value: object) -> ValueError:
    shown = str(value).strip() or "（空）"
    return ValueError(f"不是有效的金额：{shown}")


def _to_decimal(value: str | int | Decimal | float) -> Decimal:
    """Read a number of 万元 without losing digits; floats go through their shortest repr (0.1 → 0.1)."""
    if isinstance(value, bool):
        raise _invalid(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        raise _invalid(value)
    # NFKC turns full-width digits and punctuation (１２．５, １，２３４) into ASCII; U+2212 is a real minus.
    text = unicodedata.normalize("NFKC", value).replace("\u2212", "-")
    text = _UNIT_RE.sub("", re.sub(r"\s+", "", text))
    if not _NUMBER_RE.fullmatch(text):
        raise _invalid(value)
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise _invalid(value) from None


def wan_to_yuan(value: str | int | Decimal | float) -> int:
    """Convert an amount in 万元 to whole yuan, rounding half-up.

    Accepts what forms and spreadsheets deliver: ``"12.5"``, ``"1,234.56"``, ``" 3 "``, ``"１２．５"``,
    ``"12.5万元"``, ``Decimal``, ``int``, ``float``. Negative amounts pass (callers decide whether they make
    sense). Raises :class:`ValueError` ("不是有效的金额：…") for anything that is not a finite number or is
    too large to store.
    """
    number = _to_decimal(value)
    if not number.is_finite():
        raise _invalid(value)
    # Reject absurd magnitudes first: Decimal's 28-digit context cannot quantize something like 1E+40.
    if number.adjusted() > 15:
        raise ValueError(f"金额超出范围：{str(value).strip()}")
    # Round once, in 万元 to four places (= whole yuan), then shift the decimal point: multiplying first
    # could round a long input to 28 digits before the half-up step and so round it twice.
    yuan = int(number.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).scaleb(4))
    if abs(yuan) > MAX_YUAN:
        raise ValueError(f"金额超出范围：{str(value).strip()}")
    return yuan


def yuan_to_wan(yuan: int) -> Decimal:
    """The exact amount in 万元, with four decimals (``12345`` → ``Decimal("1.2345")``)."""
    return Decimal(yuan).scaleb(-4)


def yuan_to_yi(yuan: int) -> Decimal:
    """The exact amount in 亿元, with eight decimals."""
    return Decimal(yuan).scaleb(-8)


def _format(amount: Decimal, places: int, grouping: bool) -> str:
    if places < 0:
        raise ValueError(f"places must not be negative, got {places}")
    rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded.is_zero():
        rounded = abs(rounded)  # no "-0.00"
    return f"{rounded:{',' if grouping else ''}.{places}f}"


def format_wan(yuan: int | None, *, places: int = 2, grouping: bool = True) -> str:
    """Show yuan as 万元 without the unit: ``12_345_600`` → ``"1,234.56"``; ``None`` (unknown) → ``""``."""
    if yuan is None:
        return ""
    if type(yuan) is int and 0 < places <= 4:
        # Whole yuan to at most four places of 万元 is integer arithmetic: the same half-up rounding as the
        # decimal path, at a fifth of its cost (a funnel page shows 3,000 amounts).
        step = 10 ** (4 - places)
        units, rest = divmod(abs(yuan), step)
        units += rest * 2 >= step
        whole, fraction = divmod(units, 10**places)
        sign = "-" if yuan < 0 and units else ""
        return f"{sign}{whole:{',' if grouping else ''}}.{fraction:0{places}d}"
    return _format(yuan_to_wan(yuan), places, grouping)


def format_yi(yuan: int | None, *, places: int = 2, grouping: bool = True) -> str:
    """Show yuan as 亿元 without the unit: ``312_000_000`` → ``"3.12"``; ``None`` → ``""``."""
    if yuan is None:
        return ""
    return _format(yuan_to_yi(yuan), places, grouping)


def format_money(yuan: int | None, *, places: int = 2, grouping: bool = True) -> str:
    """Show yuan with the unit a reader expects: ``"3.12亿元"`` from one 亿 up, else ``"1,234.56万元"``.

    The choice is made on the rounded 万元 figure, so 99,999,999 yuan reads ``"1.00亿元"`` rather than
    ``"10,000.00万元"``. ``None`` gives ``""``.
    """
    if yuan is None:
        return ""
    wan = yuan_to_wan(yuan).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if abs(wan) >= YUAN_PER_YI // YUAN_PER_WAN:
        return f"{format_yi(yuan, places=places, grouping=grouping)}亿元"
    return f"{format_wan(yuan, places=places, grouping=grouping)}万元"


def split_evenly(total: int, parts: int) -> list[int]:
    """Split ``total`` yuan into ``parts`` whole-yuan amounts that differ by at most one and add up exactly.

    The leftover yuan go to the *last* parts (``split_evenly(10, 3) == [3, 3, 4]``): spreading an annual
    plan over months this way keeps the early months on the round figure and lets December absorb the
    remainder, so the plan-to-date (序时进度) is never overstated. A negative total splits as the mirror
    image of the positive one.
    """
    if parts <= 0:
        raise ValueError(f"parts must be at least 1, got {parts}")
    if total < 0:
        return [-x for x in split_evenly(-total, parts)]
    base, extra = divmod(total, parts)
    return [base] * (parts - extra) + [base + 1] * extra


def split_by_weights(total: int, weights: Sequence[int | float | Decimal]) -> list[int]:
    """Split ``total`` yuan in proportion to ``weights``, in whole yuan that add up exactly.

    Uses the largest-remainder method (最大余额法): everyone gets the floor of their exact share, and the
    yuan left over go one each to the largest fractional remainders, ties to the later part — so equal
    weights give the same answer as :func:`split_evenly`. A zero weight always gets 0. If every weight is
    zero there is nothing to be proportional to, and the total is split evenly. Shares are computed with
    exact fractions, so float weights cannot make the sum drift. A negative total splits as the mirror
    image of the positive one.
    """
    if not weights:
        raise ValueError("cannot split an amount over no weights")
    exact: list[Fraction] = []
    for w in weights:
        if isinstance(w, bool) or not math.isfinite(w) or w < 0:
            raise ValueError(f"weights must be finite non-negative numbers, got {w!r}")
        exact.append(Fraction(w))
    if total < 0:
        return [-x for x in split_by_weights(-total, weights)]
    weight_sum = sum(exact, Fraction(0))
    if weight_sum == 0:
        return split_evenly(total, len(weights))
    shares = [total * w / weight_sum for w in exact]
    result = [math.floor(s) for s in shares]
    leftover = total - sum(result)
    by_remainder = sorted(range(len(shares)), key=lambda i: (shares[i] - result[i], i), reverse=True)
    for i in by_remainder[:leftover]:
        result[i] += 1
    return result
