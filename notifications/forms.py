from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MANDATORY_KINDS, Kind, Mode, Profile


class PreferencesForm(forms.Form):
    """One choice per kind of notice; mandatory kinds cannot be switched off."""

    language = forms.ChoiceField(
        label=_("Bahasa pesan"), choices=Profile._meta.get_field("language").choices
    )

    def __init__(self, *args, kinds, modes, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            choices = Mode.choices
            if kind in MANDATORY_KINDS:
                choices = [(v, label) for v, label in Mode.choices if v != Mode.OFF]
            self.fields[f"kind_{kind}"] = forms.ChoiceField(
                label=Kind(kind).label, choices=choices, initial=modes[kind]
            )

    def modes(self):
        return {
            name.removeprefix("kind_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("kind_")
        }
