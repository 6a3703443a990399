"""Signing in: the password, then, for an account with two-factor sign-in, the code its authenticator
app shows; and setting up two-factor sign-in (Secretariat and staff accounts). The admin signs in
here too. django-axes counts wrong passwords and wrong codes alike (activities.two_factor)."""

from base64 import b32encode

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, RedirectView
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from activities import permissions, two_factor
from activities.forms import OneTimeCodeForm
from activities.security import lockout_response

from .base import ExplainsRefusals, redirect_back

ENROL_KEY_SESSION_KEY = "two_factor_enrol_key"


class SignInView(auth_views.LoginView):
    """The password step. An account with two-factor sign-in is not signed in yet: the code step follows."""

    def form_valid(self, form):
        user = form.get_user()
        if user_has_device(user):
            two_factor.two_factor_pending_start(self.request, user, next_url=self.get_success_url())
            return redirect("two-factor-verify")
        return super().form_valid(form)


@method_decorator([sensitive_post_parameters("otp_token"), never_cache], name="dispatch")
class TwoFactorVerifyView(FormView):
    """The code step, within a few minutes of the password step in the same browser. A wrong or
    already used code is a failed sign-in for the lockout; a locked account starts again from the password."""

    form_class = OneTimeCodeForm
    template_name = "registration/two_factor_verify.html"

    def dispatch(self, request, *args, **kwargs):
        pending = two_factor.two_factor_pending(request)
        self.user = (
            pending and auth.get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
        )
        if not self.user:
            request.session.pop(two_factor.TWO_FACTOR_PENDING_KEY, None)
            messages.info(request, gettext("Sign in with your password, then enter the code from your app."))
            return redirect("login")
        self.pending = pending
        self.credentials = {"username": self.user.get_username()}
        if AxesProxyHandler.is_locked(request, self.credentials):
            request.session.pop(two_factor.TWO_FACTOR_PENDING_KEY, None)
            return lockout_response(request, None, self.credentials)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        device = match_token(self.user, form.cleaned_data["otp_token"])
        if device is None:
            user_login_failed.send(sender=__name__, credentials=self.credentials, request=self.request)
            message = gettext(
                "That code is not right, or it has been used already. Enter the code the app shows now."
            )
            form.add_error("otp_token", ValidationError(message, code="otp_wrong"))
            return self.form_invalid(form)
        del self.request.session[two_factor.TWO_FACTOR_PENDING_KEY]
        self.user.otp_device = device  # django-otp marks the new session as verified by it
        auth.login(self.request, self.user, backend=self.pending["backend"])
        return redirect(self.pending["next"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(username=self.user.get_username(), **kwargs)


@method_decorator([sensitive_post_parameters("otp_token"), never_cache], name="dispatch")
class TwoFactorEnrolView(ExplainsRefusals, LoginRequiredMixin, FormView):
    """Set up two-factor sign-in: scan the QR code (or type the secret) into an authenticator app, and
    enter its first code. Once set up, it is removed only by a superuser (manage.py remove_two_factor)."""

    form_class = OneTimeCodeForm
    template_name = "registration/two_factor_enrol.html"

    def prepare(self, request, **kwargs):
        if not permissions.may_enrol_two_factor(request.user):
            raise PermissionDenied(gettext("Two-factor sign-in is for Secretariat accounts."))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        context.update(device=device, required=two_factor.two_factor_required(user))
        context["next"] = self.request.POST.get("next") or self.request.GET.get("next", "")
        if device is None:
            key = self.request.session.setdefault(ENROL_KEY_SESSION_KEY, random_hex(20))
            unsaved = TOTPDevice(user=user, key=key)
            secret = b32encode(unsaved.bin_key).decode()
            context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
            label = gettext("QR code to scan with your authenticator app")
            # the SVG is made here from the key, no user text in it but the escaped label
            context["qr_code"] = mark_safe(two_factor.qr_code_svg(unsaved.config_url, label=label))
        return context

    def form_valid(self, form):
        key = self.request.session.get(ENROL_KEY_SESSION_KEY)
        if key is None:
            return redirect("two-factor-enrol")
        try:
            device = two_factor.totp_device_confirm(
                user=self.request.user, key=key, code=form.cleaned_data["otp_token"]
            )
        except ValidationError as exc:
            form.add_error("otp_token", exc)
            return self.form_invalid(form)
        del self.request.session[ENROL_KEY_SESSION_KEY]
        otp_login(self.request, device)
        self.request.session[two_factor.OTP_ENROLLED_KEY] = True
        messages.success(
            self.request,
            gettext("Two-factor sign-in is on: from now on you sign in with your password and a code."),
        )
        return redirect_back(self.request, "activities:home")


class AdminLoginView(RedirectView):
    """The admin's login is the site's sign-in page, so that the admin has the same code step and the
    same lockout; it then returns to the admin page that was asked for."""

    def get_redirect_url(self, *args, **kwargs):
        target = self.request.GET.get("next") or reverse("admin:index")
        return f"{reverse('login')}?{urlencode({'next': target})}"
