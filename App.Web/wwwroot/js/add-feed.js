// The add-feed form without a reload: a bad address gets its message at the field (nothing is
// stored), a new feed's first fetch is followed in the progress panel, a known feed opens.
// Without JS the same form posts and the server answers with the page or a redirect.
"use strict";

(() => {
  const form = document.querySelector("[data-add-feed]");
  const panel = document.querySelector("[data-job-progress]");
  if (!form || !panel) {
    return;
  }
  const input = form.querySelector('input[name="Address"]');
  const message = document.getElementById("address-error");
  const button = form.querySelector('button[type="submit"]');

  function showError(text) {
    message.textContent = text;
    message.classList.toggle("field-validation-error", text !== "");
    message.classList.toggle("field-validation-valid", text === "");
    input.classList.toggle("input-validation-error", text !== "");
    if (text) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
    } else {
      input.removeAttribute("aria-invalid");
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      const response = await window.pagePost(form);
      const body = await response.json().catch(() => null);
      if (response.status === 400) {
        showError(body?.message ?? "The form has expired; reload the page and try again.");
        return;
      }
      if (!response.ok || !body) {
        showError(`The server answered ${response.status}; try again.`);
        return;
      }
      showError("");
      if (!body.created || body.jobId == null) {
        window.location.assign(`/feeds/${body.feedId}`);
        return;
      }
      window.jobProgress.watch(panel, body.jobId);
    } catch {
      showError("Cannot reach the server; try again.");
    } finally {
      button.disabled = false;
    }
  });
})();
