// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // The language selector submits as soon as a language is chosen.
  document.querySelectorAll(".language-form select").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });
});
