// Shows the "no worker" banner while no worker has reported in recently, and hides it as soon as
// one does, by polling GET /api/queue. "Now" is the server's Date header, so a skewed client
// clock cannot flip the banner.
"use strict";

(() => {
  const banner = document.querySelector("[data-worker-banner]");
  if (!banner) {
    return;
  }
  const staleMs = Number(banner.dataset.staleAfterSeconds) * 1000;
  const pollMs = 3000;

  async function check() {
    try {
      const response = await fetch("/api/queue", { headers: { Accept: "application/json" }, cache: "no-store" });
      if (response.ok) {
        const queue = await response.json();
        const serverNow = Date.parse(response.headers.get("Date") ?? "") || Date.now();
        // The Date header has whole seconds only: allow one more.
        const alive = queue.workers.some((w) => serverNow - Date.parse(w.lastSeenAt) < staleMs + 1000);
        banner.hidden = alive;
      }
    } catch {
      // The server is unreachable: leave the banner as it is and try again.
    }
    setTimeout(check, pollMs);
  }

  setTimeout(check, pollMs);
})();
