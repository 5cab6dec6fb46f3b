// Keeps a job's progress panel current by polling GET /api/jobs/{id} about twice a second:
// queued → fetching → done, or failed with the reason and a retry button. Used by /jobs/{id}
// (the panel is there from the start) and by "/" and /feeds/{id}, whose scripts start a panel
// with window.jobProgress.watch(root, jobId) after a submit. On success the panel's
// data-on-success says what follows: "feed" (default) opens the job's feed, "reload" reloads
// (saying data-done-note meanwhile, when the page set one).
"use strict";

(() => {
  const pollMs = 500;
  const steps = { pending: "Queued", running: "Fetching", succeeded: "Done", failed: "Failed", cancelled: "Cancelled" };
  const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });
  const watched = new WeakMap();

  function noteFor(job, root) {
    const onSuccess = root.dataset.onSuccess;
    switch (job.state) {
      case "pending":
        return job.lastError
          ? `Attempt ${job.attempts} failed; it will retry at ${timeFormat.format(new Date(job.runAt))}.`
          : "Waiting for a worker…";
      case "running":
        return "Working on it…";
      case "succeeded":
        if (onSuccess === "reload") {
          return root.dataset.doneNote ?? "Done. Showing the new items…";
        }
        return job.feedId == null ? "Done." : "Done. Opening the feed…";
      case "failed":
        return `Failed after ${job.attempts} ${job.attempts === 1 ? "attempt" : "attempts"}.`;
      case "cancelled":
        return "Cancelled.";
      default:
        return "";
    }
  }

  function watch(root, jobId) {
    let state = watched.get(root);
    if (!state) {
      state = { jobId, timer: 0 };
      watched.set(root, state);
      // Retry and cancel stay on the page: post to the job page's handler, then follow the job again.
      for (const name of ["retry", "cancel"]) {
        const form = root.querySelector(`[data-action="${name}"]`);
        form?.addEventListener("submit", async (event) => {
          event.preventDefault();
          try {
            await window.pagePost(form);
          } finally {
            poll(root, state);
          }
        });
      }
    }
    clearTimeout(state.timer);
    state.jobId = String(jobId);
    root.dataset.jobId = state.jobId;
    root.dataset.api = `/api/jobs/${state.jobId}`;
    for (const name of ["retry", "cancel"]) {
      const form = root.querySelector(`[data-action="${name}"]`);
      if (form) {
        form.action = `/jobs/${state.jobId}?handler=${name === "retry" ? "Retry" : "Cancel"}`;
      }
    }
    root.hidden = false;
    poll(root, state);
  }

  function render(root, job) {
    const field = (name) => root.querySelector(`[data-field="${name}"]`);
    const set = (name, text) => {
      const el = field(name);
      if (el) {
        el.textContent = text;
      }
    };
    root.dataset.state = job.state;
    set("state", job.state);
    set("step", steps[job.state] ?? job.state);
    set("attempts", job.attempts === 0 ? "not started yet" : `attempt ${job.attempts} of ${job.maxAttempts}`);
    set("note", noteFor(job, root));
    const error = field("error");
    if (error) {
      error.textContent = job.lastError ?? "";
      error.hidden = !job.lastError;
    }
    const retry = root.querySelector('[data-action="retry"]');
    if (retry) {
      retry.hidden = !(job.state === "failed" || job.state === "cancelled");
    }
    const cancel = root.querySelector('[data-action="cancel"]');
    if (cancel) {
      cancel.hidden = job.state !== "pending";
    }
  }

  async function poll(root, state) {
    clearTimeout(state.timer);
    const jobId = state.jobId;
    let job;
    try {
      const response = await fetch(`/api/jobs/${jobId}`, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (response.status === 404) {
        root.querySelector('[data-field="note"]').textContent = "This job no longer exists (its feed may have been deleted).";
        return;
      }
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }
      job = await response.json();
    } catch {
      root.querySelector('[data-field="note"]').textContent = "Cannot reach the server; trying again…";
      state.timer = setTimeout(() => poll(root, state), pollMs * 4);
      return;
    }
    if (state.jobId !== jobId) {
      return; // a newer job took over this panel meanwhile
    }

    render(root, job);
    if (job.state === "succeeded") {
      if (root.dataset.onSuccess === "reload") {
        window.location.reload();
      } else if (job.feedId != null) {
        window.location.assign(`/feeds/${job.feedId}`);
      }
    } else if (job.state === "pending" || job.state === "running") {
      state.timer = setTimeout(() => poll(root, state), pollMs);
    }
  }

  window.jobProgress = { watch };
  // Razor renders data-* attributes even when empty: an empty job id is a panel waiting for a submit.
  for (const root of document.querySelectorAll("[data-job-progress]")) {
    if (root.dataset.jobId) {
      watch(root, root.dataset.jobId);
    }
  }
})();
