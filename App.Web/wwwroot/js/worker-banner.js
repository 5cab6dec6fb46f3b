// Shows the "no worker" banner while no worker is alive and hides it as soon as one is, by
// polling GET /api/workers/presence (the server decides what "alive" means).
"use strict";

(() => {
  const banner = document.querySelector("[data-worker-banner]");
  if (!banner) {
    return;
  }
  const pollMs = 3000;

  async function check() {
    try {
      const response = await fetch("/api/workers/presence", { headers: { Accept: "application/json" }, cache: "no-store" });
      if (response.ok) {
        banner.hidden = (await response.json()).alive;
      }
    } catch {
      // The server is unreachable: leave the banner as it is and try again.
    }
    setTimeout(check, pollMs);
  }

  setTimeout(check, pollMs);
})();
