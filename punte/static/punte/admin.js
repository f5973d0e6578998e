// Administration pages: small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary, so keyboard and screen-reader users land on the problems.
  const summary = document.querySelector("[data-autofocus]");
  if (summary) {
    summary.focus();
  }
  // "Copy to clipboard" for a secret shown once (the button stays hidden without JavaScript).
  document.querySelectorAll("[data-copy-target]").forEach((button) => {
    const field = document.getElementById(button.dataset.copyTarget);
    if (!field || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", () => {
      navigator.clipboard.writeText(field.value).then(() => {
        button.textContent = button.dataset.copiedLabel || button.textContent;
      });
    });
  });
});
