// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // The language selector submits as soon as a language is chosen.
  document.querySelectorAll(".language-form select").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });

  // The header's menu is a row of links on a wide screen and a disclosure on a narrow one: keep
  // the <details> open while the screen is wide (the CSS shows it there anyway where it can),
  // and closed when the screen becomes narrow, so the page starts with its content.
  const menu = document.querySelector("[data-site-menu]");
  if (menu) {
    const wide = window.matchMedia("(min-width: 56rem)");
    const follow = () => {
      menu.open = wide.matches;
    };
    follow();
    wide.addEventListener("change", follow);
    // Escape closes the open menu on a narrow screen and returns focus to its button.
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menu.open && !wide.matches) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  }

  // After a failed submit, focus goes to the error summary, so keyboard and screen-reader users
  // land on the list of problems, each a link to its field.
  const summary = document.querySelector(".error-summary[data-autofocus]");
  if (summary) {
    summary.focus();
  }
});
