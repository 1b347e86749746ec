"""QuickSelect writes the options Django's Select writes: the same values, labels, selection and groups."""

from html.parser import HTMLParser

from django import forms

from gongjian.core.forms import QuickSelect


class Options(HTMLParser):
    def __init__(self):
        super().__init__()
        self.items: list[tuple] = []
        self.group = None
        self.select: dict = {}
        self._open = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self.select = attrs
        elif tag == "optgroup":
            self.group = attrs["label"]
        elif tag == "option":
            self._open = [self.group, attrs["value"], "selected" in attrs, ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[3] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._open is not None:
            self.items.append(tuple(self._open))
            self._open = None
        elif tag == "optgroup":
            self.group = None


def parsed(html: str) -> Options:
    parser = Options()
    parser.feed(html)
    return parser


CHOICES = [
    ("", "全部"),
    ("1", '发改局 <本级> & "园区"'),
    ("22", "住建局"),
    ("城区", [("3", "东街道"), ("4", "西街道")]),
]


def test_the_same_options_as_djangos_select_for_every_value():
    for value in ["", "1", "22", "4", None, "99"]:
        django_html = forms.Select(choices=CHOICES).render("unit", value, attrs={"id": "id_unit"})
        ours = QuickSelect(choices=CHOICES).render("unit", value, attrs={"id": "id_unit"})
        assert parsed(ours).items == parsed(django_html).items, value
        assert parsed(ours).select == parsed(django_html).select


def test_a_model_choice_field_keeps_its_labels_and_selection(db):
    from gongjian.org.models import Unit

    first = Unit.objects.create(name="发改局", kind="department")
    Unit.objects.create(name="住建局", kind="department")

    class Filter(forms.Form):
        unit = forms.ModelChoiceField(
            Unit.objects.all(), widget=QuickSelect, empty_label="全部", required=False
        )

    html = str(Filter(data={"unit": str(first.pk)})["unit"])
    items = parsed(html).items
    assert items[0] == (None, "", False, "全部")
    assert (None, str(first.pk), True, "发改局") in items
    assert [label for *_rest, label in items] == ["全部"] + [u.name for u in Unit.objects.all()]
