// After django-otp-webauthn registers a passkey, continue to the page the template names
// (recovery codes on first enrolment, the security page otherwise). No inline script: CSP.
document.addEventListener("otp_webauthn.register_complete", () => {
  const holder = document.querySelector("[data-passkey-done-url]");
  if (holder && holder.dataset.passkeyDoneUrl) {
    window.location.assign(holder.dataset.passkeyDoneUrl);
  }
});
