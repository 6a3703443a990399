"""Forms for progress reporting: they check the shape of input; the services decide and write.

Choices that depend on the user (which Range States they may report for) come from
activities.permissions, so a tampered field value is refused as "not one of the choices" before any
service runs; the services check again."""

import datetime

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone

from . import permissions, services
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
from .permissions import Action

RANGE_WIDE = "Range-wide (all Range States)"


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
        label="Reason for the change",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="This entry is already approved. Say why it changes; the reason is kept in its history.",
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
            "reporting_date": "The date the status refers to (YYYY-MM-DD).",
            "amount_spent_usd": "Optional. In US dollars, without separators, e.g. 12500.",
        }

    def __init__(self, *args, user, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity = activity
        creating = self.instance.pk is None
        rounds = ReportingRound.objects.filter(strategy_id=activity.strategy_id, closed_at__isnull=True)
        self.fields["reporting_round"].queryset = rounds.order_by("deadline")
        self.fields["reporting_round"].empty_label = "No reporting round"
        self.fields["reporting_round"].help_text = "Open rounds of this strategy only."
        self.fields["reporting_round"].label_from_instance = lambda r: f"{r.name}, due {r.deadline:%-d %b %Y}"
        self.fields["status"].choices = [("", "Choose a status"), *ProgressEntry.Status.choices]
        self.fields["amount_spent_usd"].validators.append(MinValueValidator(0))
        self.fields["confidence"].widget = forms.RadioSelect(choices=self.fields["confidence"].choices)
        if creating:
            self.fields["range_state"].label = "Range State"
            self.fields["range_state"].queryset = self.creatable_states(user, activity)
            self.fields["range_state"].help_text = "The Range States you report for, in this strategy."
            self.fields["range_state"].error_messages["invalid_choice"] = (
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

    @staticmethod
    def creatable_states(user, activity):
        """The strategy's Range States for which the user may create an entry on this activity."""
        states = RangeState.objects.filter(strategies=activity.strategy_id).order_by("name")
        reportable = permissions.reportable_state_ids(user)
        if reportable is None:
            return states
        ids = [
            state.pk
            for state in states.filter(pk__in=reportable)
            if permissions.allowed(user, Action.CREATE, ProgressEntry(activity=activity, range_state=state))
        ]
        return states.filter(pk__in=ids)

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


def initial_from_approved(activity, range_state) -> tuple[dict, ProgressEntry | None]:
    """Pre-fill a new entry from that state's latest approved entry for the activity, if any; return the
    initial values and the entry they came from."""
    initial = {"reporting_date": timezone.localdate(), "range_state": range_state}
    latest = (
        ProgressEntry.objects.approved()
        .filter(activity=activity, range_state=range_state)
        .order_by("-reporting_date", "-pk")
        .first()
    )
    if latest is not None:
        for name in ("status", "narrative", "source", "confidence", "restricted_details", "amount_spent_usd"):
            initial[name] = getattr(latest, name)
    return initial, latest


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="Comment for the reporter",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required: say what should change before the entry is submitted again.",
        error_messages={"required": "Say what should change: returning an entry requires a comment."},
    )


class EvidenceForm(forms.Form):
    title = forms.CharField(
        max_length=200, required=False, help_text="e.g. 'Camera-trap survey report 2024'."
    )
    url = forms.URLField(
        label="Link", max_length=500, required=False, assume_scheme="https", help_text="A web address."
    )
    file = forms.FileField(
        required=False,
        help_text="Or a file: PDF, PNG, JPG, DOCX, XLSX, ODT, ODS, CSV or TXT.",
    )
    restricted = forms.BooleanField(
        label="Restricted",
        required=False,
        help_text=Evidence._meta.get_field("restricted").help_text,
    )

    def __init__(self, *args, max_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text += f" At most {max_mb} MB."

    def clean(self):
        data = super().clean()
        if not self.errors and bool(data.get("url")) == bool(data.get("file")):
            raise ValidationError("Give either a link or a file (one of the two).")
        return data


class BulkApproveForm(forms.Form):
    entries = forms.ModelMultipleChoiceField(
        queryset=ProgressEntry.objects.filter(review_state=ProgressEntry.ReviewState.SUBMITTED),
        error_messages={"required": "Select at least one entry to approve."},
    )


class DelegationForm(forms.Form):
    delegate = forms.CharField(
        label="Colleague's username",
        max_length=150,
        help_text="They need an account; they can draft entries but not submit them.",
    )
    range_state = forms.ModelChoiceField(
        queryset=RangeState.objects.none(), label="Range State", empty_label=None
    )
    strategy = forms.ModelChoiceField(queryset=Strategy.objects.none(), empty_label=None)
    activity_code = forms.CharField(
        label="Activity code", max_length=20, required=False, help_text="e.g. 1.1.2 — or give an objective."
    )
    objective_number = forms.IntegerField(
        label="Objective number", min_value=1, required=False, help_text="e.g. 3 — or give an activity."
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        states = RangeState.objects.order_by("name")
        if not permissions.is_secretariat(user):
            states = states.filter(pk__in=permissions.focal_state_ids(user))
        self.fields["range_state"].queryset = states
        self.fields["range_state"].error_messages["invalid_choice"] = (
            "You may only delegate for your own states."
        )
        self.fields["strategy"].queryset = Strategy.objects.filter(range_states__in=states).distinct()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        user = get_user_model().objects.filter(username=data["delegate"].strip()).first()
        if user is None:
            self.add_error("delegate", "There is no account with that username.")
        data["delegate"] = user
        code, number = data.get("activity_code", "").strip(), data.get("objective_number")
        if bool(code) == (number is not None):
            raise ValidationError("Give either an activity code or an objective number (one of the two).")
        if code:
            data["activity"] = Activity.objects.filter(strategy=data["strategy"], code=code).first()
            if data["activity"] is None:
                self.add_error("activity_code", f"{data['strategy']} has no activity {code}.")
        else:
            data["objective"] = Objective.objects.filter(strategy=data["strategy"], number=number).first()
            if data["objective"] is None:
                self.add_error("objective_number", f"{data['strategy']} has no objective {number}.")
        return data


class ReportingLinkForm(forms.Form):
    focal_point = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), help_text="The focal point the link signs in."
    )
    range_state = forms.ModelChoiceField(
        queryset=RangeState.objects.order_by("name"),
        label="Range State",
        help_text="The link lets them report for this state only.",
    )
    valid_days = forms.IntegerField(
        label="Days valid", min_value=1, max_value=90, initial=14, help_text="From 1 to 90 days."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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


class ReviewQueueFilter(django_filters.FilterSet):
    """The review queue's filters: by Range State and by strategy."""

    range_state = django_filters.ModelChoiceFilter(
        label="Range State", queryset=RangeState.objects.order_by("name"), empty_label="All Range States"
    )
    strategy = django_filters.ModelChoiceFilter(
        label="Strategy",
        field_name="activity__strategy",
        queryset=Strategy.objects.order_by("title"),
        empty_label="All strategies",
    )

    class Meta:
        model = ProgressEntry
        fields = ["range_state", "strategy"]
