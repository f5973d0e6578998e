"""Messages of django-otp-webauthn that reach a user, listed so `makemessages` keeps them.

The library ships no Romanian or Ukrainian catalogue. Its views answer a failed passkey ceremony
with one of these messages as JSON `detail`, which its script shows to the person signing in.
Listing them here puts them in Punte's own catalogue (locale/), which takes precedence over the
library's; gettext_noop only marks them, the library translates them when it answers. The
strings its JavaScript shows are listed the same way in webauthn_strings.js (domain djangojs).
Keep both in step with the installed version of django-otp-webauthn.
"""

from django.utils.translation import gettext_noop

MESSAGES = [
    gettext_noop("Error processing WebAuthn request."),
    gettext_noop("Malformed request. JSON not parsable."),
    gettext_noop(
        "State is missing or invalid. Please begin the operation first before trying to "
        "complete it."
    ),
    gettext_noop("Unprocessable Entity"),
    gettext_noop("Passwordless login is disabled."),
    gettext_noop("This user account is marked as disabled."),
    gettext_noop("This Passkey has been marked as disabled."),
    gettext_noop("The Passkey you tried to use was not found. Perhaps it was removed?"),
    gettext_noop(
        "The Passkey you tried to use does not belong to the currently logged-in user. Try "
        "using a different Passkey or logout first to use this Passkey."
    ),
    gettext_noop("Authentication required."),
    gettext_noop("User is not verified."),
    gettext_noop(
        "You must verify your identity first with an existing MFA device before you can "
        "register a new passkey."
    ),
]
