"""Signing in: password, then a second factor (enrolled on first use), sessions, recovery codes.

The order is fixed: /accounts/login/ (password, throttled by django-axes) -> /accounts/mfa/enrol/
when the user has no second factor yet (authenticator app or passkey, then recovery codes shown
once) or /accounts/mfa/ (a code, a recovery code or a passkey) -> the page asked for.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.sessions.backends.base import UpdateError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.models import WebAuthnCredential

from punte.accounts import mfa, recovery, selectors_auth
from punte.accounts.forms_auth import CodeForm, LoginForm, TOTPConfirmForm
from punte.accounts.middleware import SESSION_ENDED_REASON
from punte.accounts.services.sessions import user_sessions_end_all
from punte.core.errors import ServiceError

# Recovery codes waiting to be shown once, right after they were issued.
SESSION_FRESH_CODES = "punte_fresh_recovery_codes"
# Set when the sign-in page is served, so that the visitor holds a session before its script
# asks for a passkey challenge (PasskeyAuthenticationBeginView).
SESSION_SIGN_IN_OPENED = "punte_sign_in_opened"


def _safe_next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _next_or_home(request) -> str:
    return _safe_next(request) or resolve_url("home")


def _with_next(request, url_name: str) -> str:
    url = reverse(url_name)
    next_url = _safe_next(request)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _require_verified(view):
    """The middleware already enforces this; the views under /accounts/mfa/ are open to it."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        if not request.user.is_verified():
            return redirect(_with_next(request, "accounts:mfa"))
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm

    def get(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_verified():
            return HttpResponseRedirect(_next_or_home(request))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["ended_reason"] = self.request.session.pop(SESSION_ENDED_REASON, None)
        self.request.session[SESSION_SIGN_IN_OPENED] = True
        return context

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.retry_after is not None:
            # Answered at once, never by holding the worker: the page says how long to wait.
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response

    def get_success_url(self):
        # The password is only the first step.
        return _with_next(self.request, "accounts:mfa")


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_verify(request):
    """The second step for a user who has a second factor."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if user.is_verified():
        return HttpResponseRedirect(_next_or_home(request))
    if not mfa.user_has_confirmed_device(user):
        return redirect(_with_next(request, "accounts:mfa_enrol"))
    has_totp = selectors_auth.totp_device_list(user=user).exists()
    # Which form was sent: the app's code or a recovery code (each its own keyboard on a phone).
    recovery = request.POST.get("kind") == "recovery" or not has_totp
    form = CodeForm(request.POST or None, recovery=recovery)
    if request.method == "POST" and form.is_valid():
        try:
            result = mfa.mfa_verify(user=user, code=form.cleaned_data["code"])
        except ServiceError as exc:
            form.add_error("code", exc.message)
        else:
            otp_login(request, result.device)
            if result.method == "recovery_code":
                left = result.recovery_codes_left or 0
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; %(left)d is left. If you lost your "
                        "authenticator, add a new one and issue new recovery codes on the "
                        "Security page.",
                        "You used a recovery code; %(left)d are left. If you lost your "
                        "authenticator, add a new one and issue new recovery codes on the "
                        "Security page.",
                        left,
                    )
                    % {"left": left},
                )
            return HttpResponseRedirect(_next_or_home(request))
    return render(
        request,
        "accounts/mfa_verify.html",
        {
            "form": form if not recovery or not has_totp else CodeForm(),
            "recovery_form": form if recovery else CodeForm(recovery=True),
            "next": _safe_next(request),
            "has_passkey": selectors_auth.passkey_list(user=user).exists(),
            "has_totp": has_totp,
        },
        status=422 if form.errors else 200,
    )


def _enrolment_gate(request):
    """Redirect for users who may not add a factor now, else None."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if not mfa.user_may_enrol(request.user):
        return redirect(_with_next(request, "accounts:mfa"))
    return None


@never_cache
def mfa_enrol(request):
    """Choose a second factor: an authenticator app, or a passkey."""
    if (refused := _enrolment_gate(request)) is not None:
        return refused
    return render(
        request,
        "accounts/mfa_enrol.html",
        {
            "next": _safe_next(request),
            "first_factor": not request.user.is_verified(),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_enrol_totp(request):
    if (refused := _enrolment_gate(request)) is not None:
        return refused
    user = request.user
    first_factor = not user.is_verified()
    form = TOTPConfirmForm(request.POST or None)
    device = mfa.totp_pending(user=user) if request.method == "POST" else None
    if request.method == "POST" and device is None:
        return redirect(_with_next(request, "accounts:mfa_enrol_totp"))
    if request.method == "POST" and form.is_valid():
        try:
            device = mfa.totp_confirm(user=user, device=device, token=form.cleaned_data["code"])
        except ServiceError as exc:
            form.add_error("code", exc.message)
        else:
            if first_factor:
                request.session[SESSION_FRESH_CODES] = mfa.recovery_codes_generate(user=user)
                otp_login(request, device)
                return redirect(_with_next(request, "accounts:recovery_codes"))
            messages.success(request, _("The authenticator app was added."))
            return redirect("accounts:security")
    if device is None:
        device = mfa.totp_enrol(user=user)
    return render(
        request,
        "accounts/mfa_enrol_totp.html",
        {
            "form": form,
            "next": _safe_next(request),
            "qr_svg": _qr_svg(device.config_url),
            "secret": mfa.totp_secret_base32(device),
            "first_factor": first_factor,
        },
        status=422 if form.errors else 200,
    )


def _qr_svg(data: str) -> str:
    import segno

    # segno writes plain SVG attributes (no style attribute), so the strict CSP holds.
    return segno.make(data, error="m").svg_inline(
        scale=4,
        border=2,
        dark="#000",
        light="#fff",
        svgclass="totp-qr",
        omitsize=True,  # a viewBox instead of a fixed size, so the stylesheet sizes it
        title=_("QR code to scan with your authenticator app"),
    )


@never_cache
def mfa_enrol_passkey(request):
    if (refused := _enrolment_gate(request)) is not None:
        return refused
    first_factor = not request.user.is_verified()
    done_url = (
        _with_next(request, "accounts:recovery_codes")
        if first_factor
        else reverse("accounts:security")
    )
    return render(
        request,
        "accounts/mfa_enrol_passkey.html",
        {
            "next": _safe_next(request),
            "first_factor": first_factor,
            "done_url": done_url,
        },
    )


@never_cache
@_require_verified
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """Shows freshly issued codes once; otherwise how many are left, and a way to renew them."""
    if request.method == "POST":
        request.session[SESSION_FRESH_CODES] = mfa.recovery_codes_generate(user=request.user)
        return redirect("accounts:recovery_codes")
    codes = request.session.pop(SESSION_FRESH_CODES, None)
    return render(
        request,
        "accounts/recovery_codes.html",
        {
            "codes": codes,
            "remaining": mfa.recovery_codes_remaining(user=request.user),
            "next": _safe_next(request) or resolve_url("home"),
        },
    )


@never_cache
@_require_verified
def security(request):
    user = request.user
    totp_devices = list(selectors_auth.totp_device_list(user=user))
    passkeys = list(selectors_auth.passkey_list(user=user))
    return render(
        request,
        "accounts/security.html",
        {
            "totp_devices": totp_devices,
            "passkeys": passkeys,
            "recovery_codes_left": mfa.recovery_codes_remaining(user=user),
            # The last app or passkey cannot be removed (recovery.mfa_factor_remove).
            "factor_count": len(totp_devices) + len(passkeys),
            "can_remove": len(totp_devices) + len(passkeys) > 1,
        },
    )


@require_POST
@_require_verified
def security_factor_remove(request, kind: str, device_id: int):
    """Remove one of one's own authenticator apps or passkeys (a lost phone, an old key)."""
    try:
        recovery.mfa_factor_remove(user=request.user, kind=kind, device_id=device_id)
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
    else:
        removed = _("The passkey was removed.") if kind == "passkey" else _("The app was removed.")
        advice = _("If it was lost or stolen, also end your other sessions.")
        messages.success(request, f"{removed} {advice}")
    # Removing the factor this session was verified with asks for another one on the next page.
    return redirect("accounts:security")


@never_cache
@_require_verified
def sessions(request):
    return render(
        request,
        "accounts/sessions.html",
        {
            "sessions": selectors_auth.user_session_list(user=request.user),
            "current_key": request.session.session_key,
        },
    )


@require_POST
@_require_verified
def sessions_end(request):
    """End the user's other sessions, or all of them including this one."""
    everywhere = request.POST.get("scope") == "all"
    keep = None if everywhere else request.session.session_key
    ended = user_sessions_end_all(actor=request.user, user=request.user, keep=keep)
    if everywhere:
        # This session's row is already gone; finish the logout cleanly.
        from django.contrib.auth import logout

        logout(request)
        return redirect("accounts:login")
    messages.success(
        request,
        ngettext(
            "%(count)d other session was ended.", "%(count)d other sessions were ended.", ended
        )
        % {"count": ended},
    )
    return redirect("accounts:sessions")


# --- Passkey ceremonies: django-otp-webauthn's views, with our audit trail ---------------------


class PasskeyRegistrationCompleteView(webauthn_views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        first_factor = not self.request.user.is_verified()
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            credential = WebAuthnCredential.objects.get(
                pk=json.loads(response.content)["id"], user=self.request.user
            )
            codes = mfa.passkey_registered(
                user=self.request.user, credential=credential, first_factor=first_factor
            )
            if codes:
                self.request.session[SESSION_FRESH_CODES] = codes
        return response


class PasskeyAuthenticationBeginView(webauthn_views.BeginCredentialAuthenticationView):
    """The passkey challenge, kept in the session the browser already holds; its answer never
    sets the session cookie.

    The sign-in page asks for a challenge as it loads (passkey autofill), so a password sent at
    once races that request. Had its answer set a session cookie and arrived after the
    sign-in's, the browser would have dropped the signed-in session for an anonymous one ("signed
    in", then the sign-in page again). So the sign-in page opens the session
    (SESSION_SIGN_IN_OPENED), this view writes the challenge into it in place, and it refuses,
    creating nothing, when the request brings no live session: none at all, or one that a
    sign-in has replaced since.
    """

    def post(self, *args, **kwargs):
        session = self.request.session
        if session.session_key is None or not session.exists(session.session_key):
            return self._no_session()
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            try:
                session.save()
            except UpdateError:  # a sign-in replaced this session while the challenge was made
                return self._no_session()
            session.modified = False  # saved; the browser has its cookie: none is sent
        return response

    def _no_session(self) -> JsonResponse:
        # Django's session middleware would delete the cookie of a session that is gone (or
        # save this one again, and fail); the browser may hold a newer session by the time
        # this answer arrives. An untouched store of the same key leaves the cookie alone.
        self.request.session = self.request.session.__class__(
            session_key=self.request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        )
        return JsonResponse(
            {"detail": _("Reload the sign-in page to use a passkey."), "code": "no_session"},
            status=409,
        )


class PasskeyAuthenticationCompleteView(webauthn_views.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        passwordless = not self.request.user.is_authenticated
        super().complete_auth(device)
        # django-otp ignores a device that belongs to someone else; record only what took effect.
        if self.request.session.get(DEVICE_ID_SESSION_KEY) == device.persistent_id:
            mfa.passkey_verified(user=device.user, credential=device, passwordless=passwordless)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        user = self.request.user if self.request.user.is_authenticated else None
        mfa.passkey_failed(user=user, reason=getattr(exc, "code", "") or type(exc).__name__)
        return response
