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
"""

from django import forms, template
from django.utils.html import format_html, format_html_join
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


@register.filter
def bootstrap_field(field):
    """``{{ form.field|bootstrap_field }}``: what ``{{ form.field|as_crispy_field }}`` shows."""
    widget = field.field.widget
    if isinstance(widget, _UNSUPPORTED):
        raise TypeError(f"bootstrap_field does not render {type(widget).__name__} widgets")
    if field.is_hidden:
        return widget_html(field)
    errors = field.errors
    required = field.field.required
    label = ""
    if field.label:
        label = format_html(
            '<label{} class="form-label{}">{}{}</label>',
            format_html(' for="{}"', field.id_for_label) if field.id_for_label else "",
            " requiredField" if required else "",
            field.label,
            mark_safe('<span class="asteriskField">*</span>') if required else "",
        )
    error_block = ""
    if errors:
        error_block = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            errors.field_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((number, field.auto_id, error) for number, error in enumerate(errors, 1)),
            ),
        )
    help_text = ""
    if field.help_text:
        help_text = format_html(
            '<div {}class="form-text">{}</div>',
            format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else "",
            # As crispy does (|safe): help texts are the forms' own, written in code.
            mark_safe(field.help_text),  # noqa: S308
        )
    css_classes = field.css_classes()
    return format_html(
        '<div id="div_{}" class="mb-3{}">{}{}{}{}</div>',
        field.auto_id,
        f" {css_classes}" if css_classes else "",
        label,
        _widget(field, errors),
        error_block,
        help_text,
    )


def _widget(field, errors):
    widget = field.field.widget
    kind = "form-select" if isinstance(widget, forms.Select) else "form-control"
    return widget_html(field, {"class": _css_class(widget, kind, errors)})


WIDGETS = "django/forms/widgets/"
# Django's widget templates that only include input.html.
_INPUTS = {
    f"{WIDGETS}{name}.html"
    for name in (
        *("color", "date", "datetime", "email", "file", "hidden", "number", "password"),
        *("search", "tel", "text", "time", "url"),
    )
}


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
    template = drawn["template_name"]
    if template in _INPUTS or (
        template == f"{WIDGETS}clearable_file_input.html" and not drawn["is_initial"]
    ):
        value = drawn["value"]
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            drawn["type"],
            drawn["name"],
            format_html(' value="{}"', str(value)) if value is not None else "",
            _attributes(drawn["attrs"]),
        )
    if template == f"{WIDGETS}textarea.html":
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>',
            drawn["name"],
            _attributes(drawn["attrs"]),
            drawn["value"] or "",
        )
    if template == f"{WIDGETS}select.html" and all(
        option["template_name"] == f"{WIDGETS}select_option.html"
        for _name, options, _index in drawn["optgroups"]
        for option in options
    ):
        return _select(drawn)
    return mark_safe(field.form.renderer.render(template, context))  # noqa: S308 - as Widget.render


def _select(drawn):
    options = []
    for group_name, group_choices, _index in drawn["optgroups"]:
        if group_name:
            options.append(format_html('\n  <optgroup label="{}">', group_name))
        options.extend(
            format_html(
                '\n  <option value="{}"{}>{}</option>',
                str(option["value"]),
                _attributes(option["attrs"]),
                option["label"],
            )
            for option in group_choices
        )
        if group_name:
            options.append(mark_safe("\n  </optgroup>"))
    return format_html(
        '<select name="{}"{}>{}\n</select>',
        drawn["name"],
        _attributes(drawn["attrs"]),
        format_html_join("", "{}", ((option,) for option in options)),
    )


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
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )
