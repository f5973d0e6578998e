"""The person's own one-time link to choose a password (no administrator involved)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN, PasswordResetConfirmView
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from punte.accounts.services import users as user_services
from punte.core.errors import ServiceError


class WelcomeSetPasswordView(PasswordResetConfirmView):
    """A new account (or one an administrator reset) chooses its password, once.

    Django's view moves the token from the URL into the session before showing the form, so
    the token never leaks through the Referer header. Deactivated accounts get "invalid link".
    """

    template_name = "accounts/admin/set_password.html"
    success_url = reverse_lazy("accounts:login")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        try:
            user_services.user_password_set_from_link(
                user=form.user, password=form.cleaned_data["new_password1"]
            )
        except ServiceError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        self.request.session.pop(INTERNAL_RESET_SESSION_TOKEN, None)
        messages.success(
            self.request,
            _("Your password is set. Sign in now; you will then set up your second factor."),
        )
        return HttpResponseRedirect(self.get_success_url())


welcome_set_password = WelcomeSetPasswordView.as_view()
