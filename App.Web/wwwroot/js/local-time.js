// Shows every <time datetime="..."> in the reader's own time zone; the server renders UTC.
// Runs again after a script swaps in fresh server HTML (the "app:content-replaced" event).
"use strict";

(() => {
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

  function localize() {
    for (const el of document.querySelectorAll("time[datetime]:not([data-localized]):not([data-relative])")) {
      const when = new Date(el.getAttribute("datetime"));
      if (!Number.isNaN(when.getTime())) {
        el.title = el.textContent;
        el.textContent = format.format(when);
        el.dataset.localized = "";
      }
    }
  }

  document.addEventListener("DOMContentLoaded", localize);
  window.addEventListener("app:content-replaced", localize);
})();
