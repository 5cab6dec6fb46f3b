// Keeps a job's progress view current by polling GET /api/jobs/{id} about twice a second.
// On success it moves on to the job's feed; on failure it shows the error and stops;
// while a failed attempt waits for its retry it shows the error and keeps polling.
"use strict";

(() => {
  const root = document.querySelector("[data-job-progress]");
  if (!root) {
    return;
  }
  const pollMs = 500;
  const field = (name) => root.querySelector(`[data-field="${name}"]`);
  const action = (name) => root.querySelector(`[data-action="${name}"]`);
  const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });

  function noteFor(job) {
    switch (job.state) {
      case "pending":
        return job.lastError
          ? `Attempt ${job.attempts} failed; it will retry at ${timeFormat.format(new Date(job.runAt))}.`
          : "Waiting for a worker…";
      case "running":
        return "Working on it…";
      case "succeeded":
        return job.feedId == null ? "Done." : "Done. Opening the feed…";
      case "failed":
        return `Failed after ${job.attempts} ${job.attempts === 1 ? "attempt" : "attempts"}.`;
      case "cancelled":
        return "Cancelled.";
      default:
        return "";
    }
  }

  function render(job) {
    root.dataset.state = job.state;
    field("state").textContent = job.state;
    field("attempts").textContent = job.attempts === 0
      ? "not started yet"
      : `attempt ${job.attempts} of ${job.maxAttempts}`;
    const error = field("error");
    error.textContent = job.lastError ?? "";
    error.hidden = !job.lastError;
    field("note").textContent = noteFor(job);
    action("retry").hidden = !(job.state === "failed" || job.state === "cancelled");
    action("cancel").hidden = job.state !== "pending";
  }

  async function poll() {
    let job;
    try {
      const response = await fetch(root.dataset.api, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (response.status === 404) {
        field("note").textContent = "This job no longer exists (its feed may have been deleted).";
        return;
      }
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }
      job = await response.json();
    } catch {
      field("note").textContent = "Cannot reach the server; trying again…";
      setTimeout(poll, pollMs * 4);
      return;
    }

    render(job);
    if (job.state === "succeeded" && job.feedId != null) {
      window.location.assign(`/feeds/${job.feedId}`);
    } else if (job.state === "pending" || job.state === "running") {
      setTimeout(poll, pollMs);
    }
  }

  poll();
})();
