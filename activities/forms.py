"""Forms for progress reporting: they check the shape of input; the services decide and write.

Choices that depend on the user (which Range States they may report for) come from
activities.permissions, so a tampered field value is refused as "not one of the choices" before any
service runs; the services check again."""

import datetime
from pathlib import PurePath

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import permissions, selectors, services
from .models import (
    Activity,
    Evidence,
    FocalPoint,
    Objective,
    ProgressEntry,
    RangeState,
    ReportingRound,
    Strategy,
)
from .names import range_state_name
from .validators import refuse_control_characters

RANGE_WIDE = _("Range-wide (all Range States)")


def add_service_error(form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form: to the field it names when the form has that
    field, otherwise to the form as a whole, so no message is lost."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ProgressEntryForm(forms.ModelForm):
    """Create or edit a progress entry. `range_state` is only on the create form; `reason` only when
    editing an approved entry; `version` carries the version the editor started from."""

    reason = forms.CharField(
        label=_("Reason for the change"),
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("This entry is already approved. Say why it changes; the reason is kept in its history."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ProgressEntry
        # The services decide which fields an edit may change; the form shows those, plus the Range State.
        fields = ["range_state", *services.EDITABLE_FIELDS]
        widgets = {
            "reporting_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "narrative": forms.Textarea(attrs={"rows": 6}),
            "source": forms.TextInput(),
            "restricted_details": forms.Textarea(attrs={"rows": 3}),
            "amount_spent_usd": forms.NumberInput(attrs={"min": "0", "step": "0.01", "inputmode": "decimal"}),
        }
        help_texts = {
            "reporting_date": _(
                "The date the status refers to: pick it in the calendar. Where your browser shows a plain "
                "text box, type it as year-month-day, e.g. 2025-05-01."
            ),
            "amount_spent_usd": _("Optional. In US dollars, without separators, e.g. 12500."),
        }

    def __init__(self, *args, user, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity = activity
        creating = self.instance.pk is None
        rounds = ReportingRound.objects.open().filter(strategy_id=activity.strategy_id)
        self.fields["reporting_round"].queryset = rounds.order_by("deadline")
        self.fields["reporting_round"].empty_label = _("No reporting round")
        self.fields["reporting_round"].help_text = _("Open rounds of this strategy only.")
        self.fields["reporting_round"].label_from_instance = lambda r: (
            gettext("%(round)s, due %(date)s")
            % {
                "round": r.name,
                "date": date_format(r.deadline, "SHORT_DATE_FORMAT"),
            }
        )
        self.fields["status"].choices = [("", _("Choose a status")), *ProgressEntry.Status.choices]
        self.fields["amount_spent_usd"].validators.append(MinValueValidator(0))
        self.fields["confidence"].widget = forms.RadioSelect(choices=self.fields["confidence"].choices)
        if creating:
            self.fields["range_state"].label = _("Range State")
            self.fields["range_state"].queryset = selectors.creatable_states(user, activity)
            self.fields["range_state"].label_from_instance = range_state_name
            self.fields["range_state"].help_text = _("The Range States you report for, in this strategy.")
            self.fields["range_state"].error_messages["invalid_choice"] = _(
                "You may not report for that Range State. Choose one of the listed states."
            )
            if permissions.reportable_state_ids(user) is None:
                self.fields["range_state"].required = False
                self.fields["range_state"].empty_label = RANGE_WIDE
            else:
                self.fields["range_state"].required = True
                self.fields["range_state"].empty_label = None
            del self.fields["version"]
        else:
            del self.fields["range_state"]
            self.fields["version"].initial = self.instance.version
        if creating or not self.instance.is_approved:
            del self.fields["reason"]

    def changes(self) -> dict:
        """The cleaned values the services take as the entry's fields."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("range_state", "reason", "version")
        }

    def _post_clean(self):
        # The services validate the whole entry (with its activity, reporter and permissions); the
        # ModelForm's own model validation would run without them and duplicate the messages.
        pass


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the reporter"),
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required: say what should change before the entry is submitted again."),
        error_messages={"required": _("Say what should change: returning an entry requires a comment.")},
    )


class OneTimeCodeForm(forms.Form):
    """The 6-digit code an authenticator app shows (two-factor sign-in and enrolment). Spaces that
    apps show in the middle of the code are ignored; whether the code is right is for the view."""

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=20,
        help_text=_("Six digits. The app shows a new code every 30 seconds."),
        validators=[refuse_control_characters],
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": _("Enter the 6-digit code from your authenticator app.")},
    )

    def clean_otp_token(self):
        code = "".join(self.cleaned_data["otp_token"].split())
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise ValidationError(_("Enter the 6 digits the app shows, without letters."), code="otp_format")
        return code


class EvidenceForm(forms.Form):
    """A link or a file; services.evidence_add checks which (one of the two), and the file itself."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("e.g. 'Camera-trap survey report 2024'."),
        validators=[refuse_control_characters],
    )
    url = forms.URLField(
        label=_("Link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("A web address."),
        validators=[refuse_control_characters],
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("Or a file: PDF, PNG, JPG, DOCX, XLSX, ODT, ODS, CSV or TXT."),
    )
    restricted = forms.BooleanField(
        label=_("Restricted"),
        required=False,
        help_text=Evidence._meta.get_field("restricted").help_text,
    )

    def __init__(self, *args, max_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "Or a file: PDF, PNG, JPG, DOCX, XLSX, ODT, ODS, CSV or TXT. At most %(max_mb)s MB."
        ) % {"max_mb": max_mb}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type="file" multiple>: a list, empty when none was chosen."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


class EvidenceBatchForm(forms.Form):
    """Evidence attached in the form that creates or edits an entry: several files and several links
    (one per line, a title may follow the address). Files are checked here by the one upload check
    (services.validate_evidence_file) so that a refused file is named beside the field; the services
    check again when they save."""

    evidence_files = MultipleFileField(label=_("Evidence files"), required=False)
    evidence_links = forms.CharField(
        label=_("Evidence links"),
        required=False,
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Optional. One web address per line; a title may follow the address after a space, e.g. "
            "“https://example.org/survey.pdf Camera-trap survey 2024”."
        ),
    )
    evidence_restricted = forms.BooleanField(
        label=_("The evidence added here is restricted"),
        required=False,
        help_text=Evidence._meta.get_field("restricted").help_text,
    )

    def __init__(self, *args, max_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence_files"].help_text = gettext(
            "Optional. You may choose several files at once: PDF, PNG, JPG, DOCX, XLSX, ODT, ODS, CSV or "
            "TXT, at most %(max_mb)s MB each. If the form comes back with a problem, choose the files "
            "again: nothing is saved until the whole form is accepted."
        ) % {"max_mb": max_mb}

    def clean_evidence_files(self):
        files = self.cleaned_data["evidence_files"]
        errors = []
        for upload in files:
            try:
                services.validate_evidence_file(upload)
            except ValidationError as exc:
                errors.extend(exc.message_dict.get("file", exc.messages))
        if errors:
            raise ValidationError(errors)
        return files

    def clean_evidence_links(self):
        url_field = forms.URLField(max_length=500, assume_scheme="https")
        links, errors = [], []
        for number, line in enumerate(self.cleaned_data["evidence_links"].splitlines(), start=1):
            if not line.strip():
                continue
            address, _space, title = line.strip().partition(" ")
            try:
                links.append((url_field.clean(address), title.strip()[:200]))
            except ValidationError as exc:
                errors.append(
                    gettext("Line %(number)s (“%(line)s”): %(error)s")
                    % {"number": number, "line": line.strip()[:80], "error": " ".join(exc.messages)}
                )
        if errors:
            raise ValidationError(errors)
        return links

    def evidence(self) -> list[dict]:
        """What services.evidence_add takes, once per file and link."""
        restricted = self.cleaned_data["evidence_restricted"]
        files = [
            {"file": upload, "title": PurePath(upload.name).name[:200], "restricted": restricted}
            for upload in self.cleaned_data["evidence_files"]
        ]
        links = [
            {"url": url, "title": title, "restricted": restricted}
            for url, title in self.cleaned_data["evidence_links"]
        ]
        return files + links


class BulkApproveForm(forms.Form):
    entries = forms.ModelMultipleChoiceField(
        queryset=ProgressEntry.objects.submitted(),
        error_messages={"required": _("Select at least one entry to approve.")},
    )


class DelegationForm(forms.Form):
    delegate = forms.CharField(
        label=_("Colleague's username"),
        max_length=150,
        validators=[refuse_control_characters],
        help_text=_("They need an account; they can draft entries but not submit them."),
    )
    range_state = forms.ModelChoiceField(
        queryset=RangeState.objects.none(), label=_("Range State"), empty_label=None
    )
    strategy = forms.ModelChoiceField(queryset=Strategy.objects.none(), label=_("Strategy"), empty_label=None)
    activity_code = forms.CharField(
        label=_("Activity code"),
        max_length=20,
        required=False,
        help_text=_("e.g. 1.1.2 — or give an objective."),
        validators=[refuse_control_characters],
    )
    objective_number = forms.IntegerField(
        label=_("Objective number"), min_value=1, required=False, help_text=_("e.g. 3 — or give an activity.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        states = RangeState.objects.order_by("name")
        if not permissions.is_secretariat(user):
            states = states.filter(pk__in=permissions.focal_state_ids(user))
        self.fields["range_state"].queryset = states
        self.fields["range_state"].label_from_instance = range_state_name
        self.fields["range_state"].error_messages["invalid_choice"] = _(
            "You may only delegate for your own states."
        )
        self.fields["strategy"].queryset = Strategy.objects.filter(range_states__in=states).distinct()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        user = get_user_model().objects.filter(username=data["delegate"].strip()).first()
        if user is None:
            self.add_error("delegate", _("There is no account with that username."))
        data["delegate"] = user
        code, number = data.get("activity_code", "").strip(), data.get("objective_number")
        if bool(code) == (number is not None):
            raise ValidationError(_("Give either an activity code or an objective number (one of the two)."))
        if code:
            data["activity"] = Activity.objects.filter(strategy=data["strategy"], code=code).first()
            if data["activity"] is None:
                self.add_error(
                    "activity_code",
                    gettext("%(strategy)s has no activity %(code)s.")
                    % {"strategy": data["strategy"], "code": code},
                )
        else:
            data["objective"] = Objective.objects.filter(strategy=data["strategy"], number=number).first()
            if data["objective"] is None:
                self.add_error(
                    "objective_number",
                    gettext("%(strategy)s has no objective %(number)s.")
                    % {"strategy": data["strategy"], "number": number},
                )
        return data


class ReportingLinkForm(forms.Form):
    focal_point = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        label=_("Focal point"),
        help_text=_("The focal point the link signs in."),
    )
    range_state = forms.ModelChoiceField(
        queryset=RangeState.objects.order_by("name"),
        label=_("Range State"),
        help_text=_("The link lets them report for this state only."),
    )
    valid_days = forms.IntegerField(
        label=_("Days valid"), min_value=1, max_value=90, initial=14, help_text=_("From 1 to 90 days.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["range_state"].label_from_instance = range_state_name
        users = FocalPoint.objects.values("user")
        self.fields["focal_point"].queryset = (
            get_user_model().objects.filter(pk__in=users, is_active=True).order_by("username")
        )


class ReportingRoundForm(forms.ModelForm):
    class Meta:
        model = ReportingRound
        fields = ["strategy", "name", "kind", "opens_on", "deadline"]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opens_on"].initial = timezone.localdate()
        self.fields["deadline"].initial = timezone.localdate() + datetime.timedelta(days=90)

    def _post_clean(self):
        pass  # reporting_round_open validates the round (unique name, dates in order)


class DueListFilter(forms.Form):
    """The focal point's due list (GET): which open round and Range State, and what to narrow it to.
    Choices come from the rounds and states already on the page, so a tampered value is refused as
    "not one of the choices" (and the page falls back to the first round) without a query."""

    PRIORITY_NONE = "none"

    round = forms.TypedChoiceField(label=_("Reporting round"), coerce=int, required=False)
    state = forms.ChoiceField(label=_("Range State"), required=False)
    priority = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        choices=[
            ("", _("Any priority")),
            *[(str(value), label) for value, label in Activity.Priority.choices],
            (PRIORITY_NONE, _("No priority in the source")),
        ],
    )
    not_reported = forms.BooleanField(label=_("Only activities not yet reported"), required=False)

    def __init__(self, data, *, rates):
        super().__init__(data)
        self.rates = rates
        rounds = {rate.reporting_round.pk: rate.reporting_round for rate in rates}
        states = {rate.range_state.iso_code: rate.range_state for rate in rates}
        self.fields["round"].choices = [(pk, r.name) for pk, r in rounds.items()]
        self.fields["state"].choices = [(code, range_state_name(s)) for code, s in states.items()]
        self.fields["state"].widget.choices = self.fields["state"].choices
        self.fields["round"].widget.choices = self.fields["round"].choices

    def selected_rate(self):
        """The rate of the round and state asked for (or valid), else of the nearest deadline."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        round_pk = None if "round" in self.errors else data.get("round")
        code = None if "state" in self.errors else data.get("state")
        matching = [
            rate
            for rate in self.rates
            if (round_pk in (None, "") or rate.reporting_round.pk == round_pk)
            and (not code or rate.range_state.iso_code == code)
        ]
        return (matching or self.rates or [None])[0]

    def narrowing(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "priority": "" if "priority" in self.errors else data.get("priority", ""),
            "not_reported": bool(data.get("not_reported")),
        }


class ReviewQueueFilter(django_filters.FilterSet):
    """The review queue's filters: by Range State, by strategy and by how long entries have waited."""

    range_state = django_filters.ModelChoiceFilter(
        label=_("Range State"),
        queryset=RangeState.objects.order_by("name"),
        empty_label=_("All Range States"),
    )
    strategy = django_filters.ModelChoiceFilter(
        label=_("Strategy"),
        field_name="activity__strategy",
        queryset=Strategy.objects.order_by("title"),
        empty_label=_("All strategies"),
    )

    age = django_filters.ChoiceFilter(
        label=_("Waiting for"),
        empty_label=_("Any time"),
        choices=[
            ("7", _("More than a week")),
            ("30", _("More than 30 days")),
            ("90", _("More than 90 days")),
        ],
        method="submitted_before",
    )

    class Meta:
        model = ProgressEntry
        fields = ["range_state", "strategy", "age"]

    def submitted_before(self, queryset, name, value):
        """Entries submitted more than `value` days ago (a choice, so never anything else)."""
        return queryset.filter(submitted_at__lt=timezone.now() - datetime.timedelta(days=int(value)))
