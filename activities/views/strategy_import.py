"""A strategy's logframe as a spreadsheet: the XLSX download (public, like the strategy page) and the
Secretariat's import (upload → stored preview → confirm)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from activities import permissions, services
from activities.logframe_xlsx import logframe_workbook
from activities.models import (
    Activity,
    Actor,
    Objective,
    Result,
    Strategy,
    StrategyImport,
    Theme,
    WorkProgrammeMeasure,
)
from activities.permissions import Action

from .base import ExplainsRefusals

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StrategyImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx)"),
        help_text=gettext_lazy(
            "Laid out like the source table, as the strategy page's download is. Nothing is changed until "
            "you have seen the preview and confirmed it."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}),
    )
    strategy = forms.ModelChoiceField(
        queryset=Strategy.objects.order_by("title"),
        to_field_name="slug",
        required=False,
        label=gettext_lazy("Into the strategy"),
        empty_label=gettext_lazy("The one the file names"),
        help_text=gettext_lazy(
            "Left as it is, the file's Strategy sheet decides (a new strategy if none has its slug). If you "
            "choose one, a file for another strategy is refused."
        ),
    )


def field_labels() -> dict[str, str]:
    """The preview stores field names; a person reads their labels, in the page's language."""
    labels = {"actors": _("Actors"), "measures": _("CAMI POW measures")}
    for model in (WorkProgrammeMeasure, Actor, Theme, Objective, Result, Activity, Strategy):
        for field in model._meta.concrete_fields:
            labels.setdefault(field.name, str(field.verbose_name))
    return labels


class StrategyExportView(View):
    """The logframe as XLSX; everything in it is on the public strategy page."""

    def get(self, request, slug):
        strategy = get_object_or_404(Strategy, slug=slug)
        response = HttpResponse(logframe_workbook(strategy), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{strategy.slug}-logframe.xlsx"'
        return response


class StrategyImportView(ExplainsRefusals, LoginRequiredMixin, View):
    """Upload a file; its preview is stored and shown on the next page."""

    template_name = "activities/strategyimport_form.html"

    def prepare(self, request, **kwargs):
        permissions.require(request.user, Action.STRATEGY_IMPORT)

    def get(self, request):
        form = StrategyImportForm(initial={"strategy": request.GET.get("strategy", "")})
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = StrategyImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                pending = services.strategy_import_preview(
                    user=request.user,
                    file_name=upload.name,
                    data=upload.read(),
                    strategy=form.cleaned_data["strategy"],
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                return redirect("activities:strategy-import-preview", pk=pending.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class StrategyImportPreviewView(ExplainsRefusals, LoginRequiredMixin, View):
    """What an upload would create, change and keep, or its errors; POST confirms it."""

    def prepare(self, request, **kwargs):
        permissions.require(request.user, Action.STRATEGY_IMPORT)
        # Someone else's upload is not theirs to see or confirm: the same 404 as a missing one.
        self.pending = StrategyImport.objects.filter(pk=kwargs["pk"], uploaded_by=request.user).first()
        if self.pending is None:
            raise Http404

    def context(self, **extra):
        preview = self.pending.preview
        labels = [
            ("strategy", _("Strategy")),
            ("themes", _("Themes")),
            ("objectives", _("Objectives")),
            ("results", _("Results")),
            ("activities", _("Activities")),
            ("actors", _("Actors")),
            ("measures", _("CAMI POW measures")),
        ]
        names = field_labels()
        sections = []
        for kind, label in labels:
            if kind in preview:
                section = preview[kind]
                for item in section["changed"]:
                    for change in item["changes"]:
                        change["label"] = names.get(change["field"], change["field"])
                sections.append((label, section))
        return {"pending": self.pending, "sections": sections, **extra}

    def get(self, request, pk):
        return render(request, "activities/strategyimport_preview.html", self.context())

    def post(self, request, pk):
        try:
            services.strategy_import_confirm(user=request.user, strategy_import=self.pending)
        except ValidationError as exc:
            return render(
                request,
                "activities/strategyimport_preview.html",
                self.context(refusal=" ".join(exc.messages)),
                status=409,
            )
        messages.success(request, _("The spreadsheet was imported."))
        return redirect("activities:strategy-detail", slug=self.pending.strategy_slug)
