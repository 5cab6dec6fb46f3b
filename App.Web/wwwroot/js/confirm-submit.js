// Asks before a form with data-confirm="question" is posted (deleting a user); without JS the form
// posts at once, which is why only pages for administrators use it.
"use strict";

(() => {
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  }
})();
