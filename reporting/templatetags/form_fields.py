"""Form fields written in Python with the markup their templates would give.

crispy renders one field through about ten nested templates, and Django one widget through
two or more (one per option of a select); the report form has two such fields per action and
a file input per evidence item, so they were most of its rendering time.

``bootstrap_field`` writes what crispy-forms' ``as_crispy_field`` (Bootstrap 5) writes: the
wrapper ``div_<id>``, the label (with crispy's required marker), the widget with its
``form-control`` or ``form-select`` and ``is-invalid`` classes and Django's own attributes
(``required``, ``aria-invalid``, ``aria-describedby``), the errors block and the help text.
``widget`` writes what ``{{ form.field }}`` writes. Both keep Django's templates for the
widgets they do not draw themselves.

Markup is joined as plain strings: every value put into it passes ``escape_html`` (Django's
``conditional_escape``, without the lazy-string wrapper that made ``format_html`` the larger
part of the cost), and the result is marked safe once.
"""

import html

from django import forms, template
from django.utils.safestring import mark_safe

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


def escape_html(value):
    """django.utils.html.conditional_escape: safe strings as they are, the rest escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


@register.filter
def bootstrap_field(field):
    """``{{ form.field|bootstrap_field }}``: what ``{{ form.field|as_crispy_field }}`` shows."""
    widget = field.field.widget
    if isinstance(widget, _UNSUPPORTED):
        raise TypeError(f"bootstrap_field does not render {type(widget).__name__} widgets")
    if field.is_hidden:
        return widget_html(field)
    auto_id = field.auto_id
    errors = field.errors
    required = field.field.required
    css_classes = field.css_classes()
    parts = [f'<div id="div_{escape_html(auto_id)}" class="mb-3']
    if css_classes:
        parts.append(f" {escape_html(css_classes)}")
    parts.append('">')
    label = field.label
    if label:
        id_for_label = field.id_for_label
        parts += [
            "<label",
            f' for="{escape_html(id_for_label)}"' if id_for_label else "",
            ' class="form-label requiredField">' if required else ' class="form-label">',
            escape_html(label),
            '<span class="asteriskField">*</span>' if required else "",
            "</label>",
        ]
    kind = "form-select" if isinstance(widget, forms.Select) else "form-control"
    parts.append(widget_html(field, {"class": _css_class(widget, kind, errors)}))
    if errors:
        parts.append(f'<div id="{escape_html(errors.field_id)}_error" class="invalid-feedback">')
        parts += (
            f'<p id="error_{number}_{escape_html(auto_id)}">'
            f"<strong>{escape_html(error)}</strong></p>"
            for number, error in enumerate(errors, 1)
        )
        parts.append("</div>")
    help_text = field.help_text
    if help_text:
        parts += [
            f'<div id="{escape_html(auto_id)}_helptext" ' if auto_id else "<div ",
            'class="form-text">',
            str(help_text),  # unescaped, as crispy shows it (|safe): the forms' own text
            "</div>",
        ]
    parts.append("</div>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above passed escape_html


@register.filter(name="widget")
def widget_html(field, attrs=None):
    """``{{ form.field|widget }}``: ``{{ form.field }}`` (BoundField.as_widget), with inputs,
    text areas and selects written here rather than through Django's widget templates; any
    other widget, or a file input showing its current file, still uses its template."""
    widget = field.field.widget
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs(attrs or {}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)
    drawn = context["widget"]
    template_name = drawn["template_name"]
    name = escape_html(drawn["name"])
    if template_name in _INPUTS or (
        template_name == f"{WIDGETS}clearable_file_input.html" and not drawn["is_initial"]
    ):
        value = drawn["value"]
        value = f' value="{escape_html(value)}"' if value is not None else ""
        markup = f'<input type="{escape_html(drawn["type"])}" name="{name}"{value}'
        markup += f"{_attributes(drawn['attrs'])}>"
    elif template_name == f"{WIDGETS}textarea.html":
        value = escape_html(drawn["value"]) if drawn["value"] else ""
        markup = f'<textarea name="{name}"{_attributes(drawn["attrs"])}>\n{value}</textarea>'
    elif template_name == f"{WIDGETS}select.html" and all(
        option["template_name"] == f"{WIDGETS}select_option.html"
        for _group, options, _index in drawn["optgroups"]
        for option in options
    ):
        markup = _select(name, drawn)
    else:
        markup = field.form.renderer.render(template_name, context)
    return mark_safe(markup)  # noqa: S308 - escaped above, or Django's template (Widget.render)


def _select(name, drawn):
    parts = [f'<select name="{name}"{_attributes(drawn["attrs"])}>']
    for group_name, group_choices, _index in drawn["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{escape_html(group_name)}">')
        parts += (
            f'\n  <option value="{escape_html(option["value"])}"{_attributes(option["attrs"])}>'
            f"{escape_html(option['label'])}</option>"
            for option in group_choices
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


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


def _attributes(attrs):
    """Django's widgets/attrs.html: True is a bare attribute, False is left out."""
    return "".join(
        f" {escape_html(name)}" if value is True else f' {escape_html(name)}="{escape_html(value)}"'
        for name, value in attrs.items()
        if value is not False
    )
