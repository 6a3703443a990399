"""The forms of a national report's page: its cover and sections, its submission, its return."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NationalReport
from .models.national import EDITABLE_FIELDS, SECTION_TITLES, SECTIONS
from .validators import refuse_control_characters


class NationalReportForm(forms.ModelForm):
    """The cover and the general sections; `version` carries the version the editor started from."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = NationalReport
        fields = list(EDITABLE_FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in EDITABLE_FIELDS}

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class NationalReportSubmitForm(forms.Form):
    """The focal point confirms the report is complete, and includes each draft or returned entry of
    the round (each is then submitted with the report). Whether that suffices is the service's to say."""

    confirmed = forms.BooleanField(
        label=_("I confirm that this national report is complete."), required=False
    )
    include = forms.TypedMultipleChoiceField(
        label=_("Entries to submit with the report"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["include"].choices = [
            (entry.pk, f"{entry.activity.code} – {entry.get_review_state_display()}") for entry in entries
        ]
        self.fields["include"].initial = [entry.pk for entry in entries]


class NationalReportReturnForm(forms.Form):
    """A comment per section, and one per entry awaiting review (`entry_<id>`); at least one is needed
    (the service says so)."""

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECTIONS:
            self.fields[f"section_{name}"] = forms.CharField(
                label=SECTION_TITLES[name],
                required=False,
                validators=[refuse_control_characters],
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        for entry in entries:
            self.fields[f"entry_{entry.pk}"] = forms.CharField(
                label=_("Activity %(activity)s") % {"activity": entry.activity.code},
                required=False,
                validators=[refuse_control_characters],
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Returns this entry to the reporter with your comment."),
            )

    def section_comments(self) -> dict:
        return {name: self.cleaned_data[f"section_{name}"] for name in SECTIONS}

    def entry_comments(self) -> dict:
        return {
            int(key.removeprefix("entry_")): value
            for key, value in self.cleaned_data.items()
            if key.startswith("entry_")
        }


class ReportCommentForm(forms.Form):
    """A comment in the report's private discussion, about a section or one of its entries."""

    subject = forms.ChoiceField(label=_("About"))
    text = forms.CharField(
        label=_("Comment"),
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen only by the Secretariat and this Range State's reporters; never public."),
        error_messages={"required": _("Write a comment first.")},
    )

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = {entry.pk: entry for entry in entries}
        self.fields["subject"].choices = [
            (f"section:{name}", title) for name, title in SECTION_TITLES.items()
        ] + [
            (f"entry:{entry.pk}", _("Entry on activity %(activity)s") % {"activity": entry.activity.code})
            for entry in entries
        ]

    def about(self) -> dict:
        kind, _sep, key = self.cleaned_data["subject"].partition(":")
        if kind == "entry":
            return {"entry": self.entries[int(key)]}
        return {"section": key}
