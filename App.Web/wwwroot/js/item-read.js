// Read/unread buttons without a reload: the form posts to /items/{id}?handler=Read, then the
// item's row, its button and the feed's unread count follow. Without JS the form posts and
// comes back to the page.
"use strict";

(() => {
  function show(item, read) {
    if (!item) {
      return;
    }
    const was = item.dataset.read === "true";
    item.dataset.read = read ? "true" : "false";
    const form = item.querySelector("[data-read-toggle]");
    if (form) {
      form.querySelector('input[name="read"]').value = read ? "false" : "true";
      form.querySelector("[data-label]").textContent = read ? "Mark as unread" : "Mark as read";
    }
    const state = item.querySelector(".read-state");
    if (state) {
      state.textContent = read ? "read" : "unread";
    }
    const counter = document.querySelector("[data-unread-count]");
    if (counter && was !== read) {
      const count = Math.max(0, Number(counter.dataset.unreadCount) + (read ? -1 : 1));
      counter.dataset.unreadCount = String(count);
      counter.textContent = `${count} unread`;
    }
  }

  window.onToggleSubmit("form[data-read-toggle]", (form, result) => show(form.closest("[data-item]"), result.read));

  window.itemRead = { show };
})();
