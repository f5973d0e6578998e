// Not served. The messages django-otp-webauthn's scripts show (otp_webauthn_auth.js and
// otp_webauthn_register.js), listed so `makemessages -d djangojs` keeps them in Punte's catalogue;
// the library ships no Romanian or Ukrainian one. Its JavaScript catalogue view
// (punte/accounts/urls_webauthn.py) merges locale/*/LC_MESSAGES/djangojs.mo. See
// webauthn_strings.py for the messages its views send.
gettext("Verify with Passkey");
gettext("Verifying...");
gettext("Finishing verification...");
gettext("Verification successful!");
gettext("Verification aborted.");
gettext("Verification canceled or not allowed.");
gettext("Verification failed. Could not retrieve parameters from the server.");
gettext("Verification failed. A server error occurred.");
gettext("Verification failed. An unknown error occurred.");
gettext("Verification failed. An unknown server error occurred.");
gettext("An error occurred during verification.");
gettext("Register a Passkey");
gettext("Registering...");
gettext("Finishing registration...");
gettext("Registration successful!");
gettext("Registration aborted.");
gettext("Registration aborted or not allowed.");
gettext("Registration failed. Unable to fetch registration options from server.");
gettext("Registration failed. You most likely already have a Passkey registered for this site.");
gettext("Registration failed. A technical problem occurred that prevents you from registering a Passkey for this site.");
gettext("Registration failed. An unknown error occurred.");
gettext("Registration failed. The server was unable to verify this passkey.");
gettext("Registration failed. A server error occurred.");
gettext("An error occurred during registration.");
