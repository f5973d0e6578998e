from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _


def _error(request, status: int, title: str, message: str):
    return render(request, "errors/error.html", {"title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


def bad_parameter(request, name: str):
    return _error(
        request,
        400,
        _("Bad request"),
        _("The value of “%(name)s” contains a character that is not allowed (U+0000).")
        % {"name": name},
    )


def permission_denied(request, exception=None):
    return _error(request, 403, _("Not allowed"), _("Your role does not allow this action."))


def page_not_found(request, exception=None):
    return _error(
        request, 404, _("Page not found"), _("There is no such page, or it is not visible to you.")
    )


def server_error(request):
    return _error(
        request,
        500,
        _("Something went wrong"),
        _("The error was recorded. Nothing you entered was saved; please try again."),
    )


def favicon(request):
    """Browsers and tools that ask for /favicon.ico before reading the page's icon link."""
    return HttpResponsePermanentRedirect(static("punte/favicon.svg"))
