"""Form fields drawn by Jinja2 macros (jinja2/reporting/_fields.html) with the markup their
Django templates would give.

crispy renders one field through about ten nested templates, and Django one widget through
two or more (one per option of a select); the report form has two such fields per action and
a file input per evidence item, so they were most of its rendering time.

``bootstrap_field`` draws what crispy-forms' ``as_crispy_field`` (Bootstrap 5) draws: the
wrapper ``div_<id>``, the label (with crispy's required marker), the widget with its
``form-control`` or ``form-select`` and ``is-invalid`` classes and Django's own attributes
(``required``, ``aria-invalid``, ``aria-describedby``), the errors block and the help text.
``widget`` draws what ``{{ form.field }}`` draws. Both keep Django's templates for the
widgets they do not draw themselves. Here only what the markup shows is worked out; the
markup, autoescaped, is in the template.
"""

from django import forms, template

from ..fragments import macro

register = template.Library()

# Widgets crispy gives other classes or markup (check boxes, radios, files): not handled here.
_UNSUPPORTED = (
    forms.CheckboxInput,
    forms.CheckboxSelectMultiple,
    forms.RadioSelect,
    forms.ClearableFileInput,
    forms.FileInput,
    forms.MultiWidget,
)

WIDGETS = "django/forms/widgets/"
# Django's widget templates that only include input.html.
_INPUTS = {
    f"{WIDGETS}{name}.html"
    for name in (
        *("color", "date", "datetime", "email", "file", "hidden", "number", "password"),
        *("search", "tel", "text", "time", "url"),
    )
}


@register.filter
def bootstrap_field(field):
    """``{{ form.field|bootstrap_field }}``: what ``{{ form.field|as_crispy_field }}`` shows."""
    widget = field.field.widget
    if isinstance(widget, _UNSUPPORTED):
        raise TypeError(f"bootstrap_field does not render {type(widget).__name__} widgets")
    if field.is_hidden:
        return widget_html(field)
    kind = "form-select" if isinstance(widget, forms.Select) else "form-control"
    drawn = widget_html(field, {"class": _css_class(widget, kind, field.errors)})
    return _macro("field")(field, drawn, field.css_classes())


@register.filter(name="widget")
def widget_html(field, attrs=None):
    """``{{ form.field|widget }}``: ``{{ form.field }}`` (BoundField.as_widget), with inputs,
    text areas and selects drawn by the macros rather than by Django's widget templates; any
    other widget, or a file input showing its current file, still uses its template."""
    widget = field.field.widget
    if field.field.localize:
        widget.is_localized = True
    asked = attrs or {}
    attrs = field.build_widget_attrs(asked, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)
    drawn = context["widget"]
    template_name = drawn["template_name"]
    if template_name in _INPUTS or (
        template_name == f"{WIDGETS}clearable_file_input.html" and not drawn["is_initial"]
    ):
        return _macro("input")(drawn)
    if template_name == f"{WIDGETS}textarea.html":
        return _macro("textarea")(drawn)
    if template_name == f"{WIDGETS}select.html" and all(
        option["template_name"] == f"{WIDGETS}select_option.html"
        for _group, options, _index in drawn["optgroups"]
        for option in options
    ):
        return _macro("select")(drawn)
    return field.as_widget(attrs=asked)  # through Django's template


def _macro(name):
    return macro("reporting/_fields.html", name)


def _css_class(widget, kind, errors):
    """crispy's classes: the widget's own, its class name, then the Bootstrap ones."""
    name = type(widget).__name__.lower()
    css = widget.attrs.get("class", "")
    if not css:
        css = name
    elif name not in css:
        css += f" {name}"
    for extra in (kind, "is-invalid") if errors else (kind,):
        if extra not in css.split():
            css += f" {extra}"
    return css
