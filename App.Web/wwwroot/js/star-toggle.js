// Star buttons without a reload: the form posts to /items/{id}?handler=Star, then the button
// follows. Without JS the form posts and comes back to the page.
"use strict";

(() => {
  function show(form, starred) {
    form.dataset.starred = starred ? "true" : "false";
    form.querySelector('input[name="starred"]').value = starred ? "false" : "true";
    form.querySelector("[data-label]").textContent = starred ? "Unstar" : "Star";
    form.querySelector(".star").textContent = starred ? "★" : "☆";
    form.querySelector("button").setAttribute("aria-pressed", starred ? "true" : "false");
  }

  window.onToggleSubmit("form[data-star-toggle]", (form, result) => show(form, result.starred));
})();
