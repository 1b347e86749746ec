"""Filters of the targets' pages: a stored value in its indicator's measure, a rate in percent."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def shown(value, indicator):
    """``{{ cell.target|shown:indicator }}``: 3.00 (亿元) for 300,000,000 yuan; 30 (公顷) as entered."""
    return indicator.display(value)


@register.filter
def pct(rate):
    """A completion rate or time-elapsed line (percent) to one place: 86.7%; — for none."""
    if rate is None or rate == "":
        return "—"
    return f"{Decimal(rate).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
