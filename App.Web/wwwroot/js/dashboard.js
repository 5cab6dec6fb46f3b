// Keeps the queue dashboard current: every few seconds, while the tab is visible, it fetches the
// page again and swaps in each [data-live] section, so counts, the chart and the lists move
// without a reload (and without losing the reader's scroll position).
"use strict";

(() => {
  const pollMs = 5000;

  async function refresh() {
    if (document.visibilityState === "visible") {
      try {
        const response = await fetch(window.location.pathname, { cache: "no-store" });
        if (response.ok) {
          const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
          for (const section of document.querySelectorAll("[data-live][id]")) {
            const replacement = fresh.getElementById(section.id);
            if (replacement) {
              section.replaceWith(document.importNode(replacement, true));
            }
          }
          window.dispatchEvent(new Event("app:content-replaced"));
        }
      } catch {
        // Unreachable for a moment: the next round tries again.
      }
    }
    setTimeout(refresh, pollMs);
  }

  setTimeout(refresh, pollMs);
})();
