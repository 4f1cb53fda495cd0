// The console's one script: what pages gain with it (countdowns, times in
// the browser's zone). Every page works without it.
"use strict";

// Times not tied to a lot (a lock's end): shown in the browser's own zone.
function localTimes(root) {
  for (const el of root.querySelectorAll("time.local[datetime]")) {
    const at = new Date(el.getAttribute("datetime"));
    if (!Number.isNaN(at.getTime())) {
      el.textContent = at.toLocaleString(document.documentElement.lang, {
        dateStyle: "medium", timeStyle: "short",
      });
    }
  }
}

// "Send again" waits for the resend interval, counting down.
function resendCountdowns(root) {
  for (const button of root.querySelectorAll("button[data-wait]")) {
    let left = Number(button.dataset.wait);
    const note = button.parentElement.querySelector(".countdown");
    if (!(left > 0)) continue;
    button.disabled = true;
    const tick = () => {
      left -= 1;
      if (left <= 0) {
        button.disabled = false;
        if (note) note.remove();
        return;
      }
      if (note) note.textContent = button.dataset.waitText.replace("{seconds}", String(left));
      setTimeout(tick, 1000);
    };
    setTimeout(tick, 1000);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  localTimes(document);
  resendCountdowns(document);
});

// Live parts: `<main data-live="name">` follows /console/live/name, whose
// events are named after the element they replace. After three failures in
// a row the page falls back to reloading itself every 15 s.
function follow(main) {
  const name = main.dataset.live;
  if (!name || !("EventSource" in window)) return;
  let failures = 0;
  const source = new EventSource(`/console/live/${name}`);
  source.onopen = () => { failures = 0; main.dataset.connected = "true"; };
  source.onerror = () => {
    failures += 1;
    main.dataset.connected = "false";
    if (failures >= 3) {
      source.close();
      setTimeout(() => location.reload(), 15000);
    }
  };
  source.addEventListener("logout", (e) => { location.href = e.data; });
  const swap = (e) => {
    const old = document.getElementById(e.type);
    if (!old) return;
    const box = document.createElement("template");
    box.innerHTML = e.data;
    const fresh = box.content.firstElementChild;
    if (!fresh) return;
    old.replaceWith(fresh);
    localTimes(fresh);
    document.dispatchEvent(new CustomEvent("console:swapped", { detail: e.type }));
  };
  for (const id of (main.dataset.parts || name).split(" ")) source.addEventListener(id, swap);
}

document.addEventListener("DOMContentLoaded", () => {
  const main = document.querySelector("main[data-live]");
  if (main) follow(main);
  // "/" focuses the page's search field (outside text fields).
  document.addEventListener("keydown", (e) => {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target;
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return;
    const search = document.querySelector('input[type="search"]');
    if (search) { e.preventDefault(); search.focus(); }
  });
});
