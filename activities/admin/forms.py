"""The admin's forms for progress entries and evidence. They check nothing of their own: they call the
services' checks (and activities.permissions) during validation, so that a refusal is shown beside
the field with the user's input kept; the services check again under the row lock when they save."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from activities import permissions, services
from activities.models import Evidence, ProgressEntry
from activities.permissions import Action


class EvidenceForm(forms.ModelForm):
    """A link or an uploaded file. The file is checked by the service's own check, so that a wrong
    file is reported next to the field instead of after the save; "a link or a file" is the model's
    constraint, which the form validates."""

    url = forms.URLField(label=_("URL"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Evidence
        fields = ["title", "url", "file", "restricted"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and isinstance(upload, UploadedFile):
            try:
                services.validate_evidence_file(upload)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["file"]) from exc
        return upload


class ProgressEntryAdminForm(forms.ModelForm):
    """Content fields of a progress entry, plus what the edit service needs: the version the editor
    started from (a conflict is reported, never overwritten) and, for an approved entry, a reason."""

    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Required when changing an approved entry; it is kept in the history."),
    )
    expected_version = forms.IntegerField(
        label=_("Expected version"), widget=forms.HiddenInput, required=False
    )

    class Meta:
        model = ProgressEntry
        fields = ["activity", "range_state", *services.EDITABLE_FIELDS]

    request = None  # set by ProgressEntryAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def content_changes(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in services.EDITABLE_FIELDS and name in self.cleaned_data
        }

    def clean(self):
        cleaned = super().clean()
        try:
            if self.instance.pk is None:
                self.check_create(cleaned)
            else:
                self.check_update(cleaned)
        except services.EditConflict as exc:
            # The service's own words point at the web page's comparison; here the page must be reloaded.
            raise ValidationError(
                gettext(
                    "This entry was changed by %(user)s while you were editing it. Your changes have not "
                    "been saved: reload the page to see the current version, then apply them again."
                )
                % {"user": exc.changed_by}
            ) from exc
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from exc
        return cleaned

    def check_create(self, cleaned):
        if cleaned.get("activity") is not None:
            new = ProgressEntry(
                activity=cleaned["activity"],
                range_state=cleaned.get("range_state"),
                reporting_round=cleaned.get("reporting_round"),
            )
            permissions.require(self.request.user, Action.CREATE, new)

    def check_update(self, cleaned):
        current = ProgressEntry.objects.select_related(
            "activity__strategy", "range_state", "reporting_round"
        ).get(pk=self.instance.pk)
        version = cleaned.get("expected_version")
        changes = self.content_changes()
        if not changes:
            # Nothing of the entry itself is saved; a stale form is still refused.
            services.progress_entry_check_version(entry=current, expected_version=version)
            return
        services.progress_entry_check_update(
            user=self.request.user,
            entry=current,
            expected_version=version,
            reason=cleaned.get("reason", ""),
            **changes,
        )
