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
