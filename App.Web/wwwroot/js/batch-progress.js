// Keeps a batch's progress bar current by polling GET /api/batches/{id} once a second until
// every job of the batch has finished; failures are listed with their feed and reason.
"use strict";

(() => {
  const root = document.querySelector("[data-batch-progress]");
  if (!root) {
    return;
  }
  const pollMs = 1000;
  const field = (name) => root.querySelector(`[data-field="${name}"]`);

  function render(batch) {
    const bar = field("bar");
    bar.max = Math.max(batch.total, 1);
    bar.value = batch.done + batch.failed;
    bar.textContent = `${batch.percent} %`;
    field("percent").textContent = `${batch.percent}%`;
    field("done").textContent = String(batch.done);
    field("failed").textContent = String(batch.failed);
    field("waiting").textContent = String(batch.pending + batch.running);
    field("total").textContent = String(batch.total);
    field("state").textContent = batch.finished ? "Finished." : "";
    root.dataset.finished = batch.finished ? "true" : "false";

    const list = field("failures");
    list.replaceChildren(...batch.failures.map((failure) => {
      const item = document.createElement("li");
      if (failure.feedId != null) {
        const link = document.createElement("a");
        link.href = `/feeds/${failure.feedId}`;
        link.textContent = failure.feedUrl ?? `Feed ${failure.feedId}`;
        item.append(link);
      }
      const error = document.createElement("p");
      error.className = "error";
      error.textContent = failure.error ?? "";
      item.append(error);
      return item;
    }));
  }

  async function poll() {
    try {
      const response = await fetch(root.dataset.api, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }
      const batch = await response.json();
      render(batch);
      if (!batch.finished) {
        setTimeout(poll, pollMs);
      }
    } catch {
      field("state").textContent = "Cannot reach the server; trying again…";
      setTimeout(poll, pollMs * 4);
    }
  }

  if (root.dataset.finished !== "true") {
    poll();
  }
})();
