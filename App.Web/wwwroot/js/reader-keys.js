// Keyboard for the feed page and the item page. Feed page: j/k select the next/previous item
// (a visible selection, and focus on its title; j past the last one opens the older page), o
// opens it, m toggles its read state, s its star, r refreshes the feed. Rivers take the same keys.
// Item page: j/k older/newer item, o the original article, m read/unread, s star, u back to the feed (or river). Keys typed into a field, or with a modifier, are left alone.
"use strict";

(() => {
  const list = document.querySelector("[data-item-list]");
  let current = null;

  const typing = (target) =>
    target instanceof Element && target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])");

  function select(item, focus) {
    if (current && current !== item) {
      current.classList.remove("selected");
      current.removeAttribute("aria-current");
    }
    current = item;
    item.classList.add("selected");
    item.setAttribute("aria-current", "true");
    if (focus) {
      item.querySelector(".item-title")?.focus();
    }
    item.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const items = [...list.querySelectorAll("[data-item]")];
    if (items.length === 0) {
      return;
    }
    const at = items.indexOf(current);
    // Past the last item of a page comes the next, older page.
    if (step > 0 && at === items.length - 1) {
      document.querySelector('.pager a[rel="next"]')?.click();
      return;
    }
    const next = at < 0 ? (step > 0 ? 0 : items.length - 1) : Math.min(Math.max(at + step, 0), items.length - 1);
    select(items[next], true);
  }

  function openCurrent() {
    const title = current?.querySelector(".item-title");
    if (title) {
      // The item page marks it read; show that already, for when "back" restores this page.
      window.itemRead?.show(current, true);
      window.location.assign(title.href);
    }
  }

  const click = (key) => document.querySelector(`[data-key="${key}"]`)?.click();

  if (list) {
    const target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    if (target?.matches("[data-item]")) {
      select(target, true);
    }
    list.addEventListener("focusin", (event) => {
      const item = event.target.closest("[data-item]");
      if (item && item !== current) {
        select(item, false);
      }
    });
    list.addEventListener("click", (event) => {
      const title = event.target.closest(".item-title");
      const item = title?.closest("[data-item]");
      if (item) {
        window.itemRead?.show(item, true);
      }
    });
  }

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    switch (event.key) {
      case "j":
      case "k":
        if (list) {
          move(event.key === "j" ? 1 : -1);
        } else {
          click(event.key);
        }
        break;
      case "o":
        if (list) {
          openCurrent();
        } else {
          click("o");
        }
        break;
      case "m": {
        const scope = list ? current : document;
        scope?.querySelector("form[data-read-toggle]")?.requestSubmit();
        break;
      }
      case "s": {
        const scope = list ? current : document;
        scope?.querySelector("form[data-star-toggle]")?.requestSubmit();
        break;
      }
      case "r":
        document.querySelector("form[data-refresh]")?.requestSubmit();
        break;
      case "u":
        click("u");
        break;
      default:
        return;
    }
    event.preventDefault();
  });
})();
