from django import template
from django.utils.http import urlencode

from gongjian.core import money
from gongjian.core.audit import action_label
from gongjian.core.html import json_script_utf8
from gongjian.core.identifiers import mask_phone
from gongjian.core.periods import Period

register = template.Library()


@register.filter
def wan(yuan):
    """Yuan shown in 万元 with two decimals: 31200000 → "3,120.00"."""
    return "" if yuan in (None, "") else money.format_wan(int(yuan))


@register.filter
def yi(yuan):
    return "" if yuan in (None, "") else money.format_yi(int(yuan))


@register.filter
def money_text(yuan):
    return "" if yuan in (None, "") else money.format_money(int(yuan))


@register.filter
def thousands(number):
    """A whole amount with thousands separators: 150000 → "150,000" (zh-hans formats group by nothing)."""
    return "" if number in (None, "") else f"{int(number):,}"


@register.filter
def period(code):
    """A period code as people read it: "2026-11-3" → "2026年11月下旬", "2026-11" → "2026年11月"."""
    if code in (None, ""):
        return ""
    try:
        return str(code if isinstance(code, Period) else Period.parse(str(code)))
    except ValueError:
        return code


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for sorting and paging links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted(params.lists()), doseq=True) if params else "?"


@register.inclusion_tag("core/_field.html")
def field(bound_field, wide=False):
    return {"f": bound_field, "wide": wide}


@register.simple_tag(takes_context=True)
def sort_query(context, key):
    """Query string that sorts by ``key``, or by ``-key`` when the list is already sorted by ``key``."""
    current = context["request"].GET.get("sort", "")
    return query_with(context, sort=f"-{key}" if current == key else key, page=None)


@register.filter
def masked_phone(value):
    """A phone number shown as 138****5678: personal data is masked wherever it is only being looked at."""
    return mask_phone(value or "")


@register.filter
def audit_action(event):
    """An audit event's action in Chinese (the code stays in the title for the auditor)."""
    return action_label(event.action, event.object_type)


@register.filter
def json_script_cjk(value, element_id):
    """As Django's json_script, with Chinese written as UTF-8 (see core/html.py)."""
    return json_script_utf8(value, element_id)


@register.inclusion_tag("core/_chart.html")
def chart(c, caption=True):
    """One chart with its 保存图片 button and its 数据表 (``{% chart c %}``): the option goes into the page as
    JSON, ``core/charts.js`` draws it (load it once with ``{% chart_script %}``)."""
    return {"c": c, "payload": c.payload(), "table": c.table(), "caption": caption}


@register.inclusion_tag("core/_chart_script.html")
def chart_script():
    """The vendored ECharts and the one script that draws every chart of the page."""
    return {}
