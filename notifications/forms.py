from django import forms
from django.utils.translation import gettext_lazy as _


class NoticePreferencesForm(forms.Form):
    """Two boxes per kind of notice (by e-mail, on the home page); a mandatory kind's are ticked and
    disabled, so that whatever is posted for them is ignored."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            for channel, label in (("email", _("By e-mail")), ("on_home", _("On my home page"))):
                self.fields[f"{row['kind']}-{channel}"] = forms.BooleanField(
                    label=label,
                    required=False,
                    initial=row[channel],
                    disabled=bool(row["mandatory"]),
                )
        for row in rows:
            row["email_field"] = self[f"{row['kind']}-email"]
            row["on_home_field"] = self[f"{row['kind']}-on_home"]

    def choices(self) -> dict:
        """{kind: (by_email, on_home)} for the optional kinds."""
        data = self.cleaned_data
        return {
            row["kind"]: (data[f"{row['kind']}-email"], data[f"{row['kind']}-on_home"])
            for row in self.rows
            if not row["mandatory"]
        }
