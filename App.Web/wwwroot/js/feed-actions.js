// The feed page's buttons without a reload: "refresh now" follows its job in the progress panel
// (and reloads when it is done), "mark all as read" marks the rows in place, and deleting asks
// with confirm() and posts to the confirmation page's handler. Without JS each is a form post or,
// for delete, a link to the confirmation page.
"use strict";

(() => {
  const refresh = document.querySelector("form[data-refresh]");
  const panel = document.querySelector("[data-job-progress]");
  refresh?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await window.pagePost(refresh);
    if (!response.ok) {
      refresh.submit();
      return;
    }
    const { jobId } = await response.json();
    window.jobProgress.watch(panel, jobId);
  });

  const markAll = document.querySelector("form[data-mark-all-read]");
  markAll?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await window.pagePost(markAll);
    if (!response.ok) {
      markAll.submit();
      return;
    }
    for (const item of document.querySelectorAll("[data-item][data-read='false']")) {
      window.itemRead.show(item, true);
    }
  });

  for (const link of document.querySelectorAll("a[data-confirm-delete]")) {
    link.addEventListener("click", async (event) => {
      event.preventDefault();
      if (!window.confirm(link.dataset.confirmDelete)) {
        return;
      }
      const response = await window.pagePostTo(link.href);
      if (response.ok) {
        window.location.assign("/");
      } else {
        window.location.assign(link.href);
      }
    });
  }
})();
