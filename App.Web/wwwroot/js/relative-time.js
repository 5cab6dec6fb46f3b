// Shows <time datetime data-relative> as "3 min ago" / "in 2 hr", with the local date and time
// as its tooltip, and keeps it current while the page stays open.
"use strict";

(() => {
  const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto", style: "short" });
  const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  const units = [
    ["year", 365 * 24 * 3600],
    ["month", 30 * 24 * 3600],
    ["week", 7 * 24 * 3600],
    ["day", 24 * 3600],
    ["hour", 3600],
    ["minute", 60],
  ];

  function phrase(when) {
    const seconds = (when.getTime() - Date.now()) / 1000;
    for (const [unit, size] of units) {
      if (Math.abs(seconds) >= size) {
        return relative.format(Math.round(seconds / size), unit);
      }
    }
    return seconds < 0 ? "just now" : "in a moment";
  }

  function update() {
    for (const el of document.querySelectorAll("time[datetime][data-relative]")) {
      const when = new Date(el.getAttribute("datetime"));
      if (!Number.isNaN(when.getTime())) {
        el.title = absolute.format(when);
        el.textContent = phrase(when);
      }
    }
  }

  update();
  setInterval(update, 30_000);
})();
