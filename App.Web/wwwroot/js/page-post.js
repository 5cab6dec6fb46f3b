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
