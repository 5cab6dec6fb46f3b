// "Load full article" on the item page: the form posts without leaving the page, the
// fetch-article job is followed in the progress panel (queued → fetching → done, or failed with
// the reason and a retry button), and once it succeeded the page reloads showing the article.
// Without JS the form posts and the page comes back with the job's progress.
"use strict";

(() => {
  const form = document.querySelector("form[data-load-article]");
  const panel = document.querySelector(".article-load [data-job-progress]");
  if (!form || !panel) {
    return;
  }
  panel.dataset.doneNote = "Done. Showing the article…";
  const button = form.querySelector('button[type="submit"]');
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    let response;
    try {
      response = await window.pagePost(form);
    } catch {
      button.disabled = false;
      return;
    }
    if (!response.ok) {
      form.submit();
      return;
    }
    const { jobId } = await response.json();
    // The reload that follows success shows the article, not the feed's text.
    const here = new URL(window.location.href);
    here.searchParams.delete("text");
    window.history.replaceState(null, "", here);
    document.querySelector("[data-article-error]")?.remove();
    button.hidden = true;
    window.jobProgress.watch(panel, jobId);
  });
})();
