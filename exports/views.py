"""A person's background exports: the list ("Your exports") and the download of a finished file."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.generic import ListView, View

from activities import permissions
from activities.permissions import Action

from .models import ExportJob
from .services import failure_text

LIST_LIMIT = 50
REFRESH_SECONDS = 10
CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class ExportJobListView(LoginRequiredMixin, ListView):
    """The person's exports, newest first; the page reloads itself (a meta refresh) while one is pending."""

    template_name = "exports/exportjob_list.html"
    context_object_name = "jobs"

    def get_queryset(self):
        return ExportJob.objects.of(self.request.user)[:LIST_LIMIT]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        jobs = context["jobs"]
        for job in jobs:
            job.failure = failure_text(job)
        context["refresh"] = REFRESH_SECONDS if any(job.is_pending for job in jobs) else None
        context["expiry_days"] = settings.EXPORT_EXPIRY_DAYS
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        add_never_cache_headers(response)  # the statuses change; a cached page would never show "Ready"
        return response


class ExportJobDownloadView(View):
    """The file, for the person who asked for it while they keep the rights it was made with (decided by
    permissions.decide(EXPORT_DOWNLOAD)). Anyone else is told there is no such export (404); the owner
    whose rights changed is sent back to the list, told why."""

    def get(self, request, pk):
        job = get_object_or_404(ExportJob, pk=pk, status=ExportJob.Status.DONE)
        decision = permissions.decide(request.user, Action.EXPORT_DOWNLOAD, job)
        if not decision:
            if job.requested_by_id != getattr(request.user, "pk", None):
                raise Http404("No such export.")
            messages.error(request, decision.reason)
            return redirect("exports:list")
        if not job.file or not default_storage.exists(job.file.name):
            raise Http404("This export's file has been deleted.")
        response = FileResponse(
            default_storage.open(job.file.name, "rb"),
            as_attachment=True,
            filename=job.filename,
            content_type=CONTENT_TYPES.get(job.format, "application/octet-stream"),
        )
        patch_cache_control(response, private=True, no_store=True)
        return response
