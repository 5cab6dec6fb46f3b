// Posts a form to its Razor Page handler from a script: the antiforgery token goes in the
// RequestVerificationToken header (from the layout's meta tag), and Accept asks the handler
// for its small JSON answer instead of a redirect.
"use strict";

window.pagePost = (form) => {
  const token = document.querySelector('meta[name="request-verification-token"]')?.content ?? "";
  return fetch(form.action, {
    method: "POST",
    body: new FormData(form),
    headers: { Accept: "application/json", RequestVerificationToken: token },
    credentials: "same-origin",
  });
};

// The same for a plain address (a link whose confirmation page takes the POST).
window.pagePostTo = (url) => {
  const form = document.createElement("form");
  form.action = url;
  return window.pagePost(form);
};

// Toggle buttons (read/unread, star) without a reload: a form matching `selector` is posted with
// pagePost and `apply(form, answer)` shows the new state. Without JS, or when the handler refuses
// (a 404 page, say), the form posts normally and the server's page explains.
window.onToggleSubmit = (selector, apply) => {
  document.addEventListener("submit", async (event) => {
    const form = event.target.closest(selector);
    if (!form) {
      return;
    }
    event.preventDefault();
    const response = await window.pagePost(form);
    if (!response.ok) {
      form.submit();
      return;
    }
    apply(form, await response.json());
  });
};
