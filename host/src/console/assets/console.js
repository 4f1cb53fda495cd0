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
  // Enter in the login page's password field logs in with the password.
  const password = document.getElementById("password");
  const withPassword = document.querySelector('button[name="via"][value="password"]');
  if (password && withPassword) {
    password.addEventListener("keydown", (e) => {
      if (e.key === "Enter") { e.preventDefault(); withPassword.click(); }
    });
  }
});

// Live parts: `<main data-live="name">` follows /console/live/name, whose
// events are named after the element they replace. After three failures in
// a row the page falls back to reloading itself every 15 s.
function follow(main) {
  const live = main.dataset.live;
  if (!live || !("EventSource" in window)) return;
  const name = live.split("?")[0];
  let failures = 0;
  const source = new EventSource(`/console/live/${live}`);
  source.onopen = () => { failures = 0; main.dataset.connected = "true"; };
  source.onerror = () => {
    failures += 1;
    main.dataset.connected = "false";
    // Closed for good (the browser gave up), or failing: reload in a while.
    if (source.readyState === EventSource.CLOSED || failures >= 3) {
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
  const parts = { congestion: ["congestion"], desk: ["desk-state", "desk-waiting", "desk-scene", "desk-facts", "desk-evidence", "desk-acts"] };
  for (const id of parts[name] || [name]) source.addEventListener(id, swap);
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

// The desk: single keys for every action (outside text fields), Alt+key
// anywhere, digits inside an open section, "?" for the key sheet.
function inField(target) {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement || (target && target.isContentEditable);
}

function deskKeys() {
  const main = document.querySelector("main");
  let section = null; // the section whose digits are live (presets, similar, reasons)
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey && e.key === "Enter") {
      const form = e.target.closest && e.target.closest("form");
      if (form) { e.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (e.key === "Escape") {
      for (const open of document.querySelectorAll("details[data-key][open]")) open.open = false;
      section = null;
      return;
    }
    if ((inField(e.target) && !e.altKey) || e.ctrlKey || e.metaKey) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (key === "?") {
      const sheet = document.getElementById("key-sheet");
      if (sheet && !sheet.open) { e.preventDefault(); sheet.showModal(); }
      return;
    }
    if (/^[1-9]$/.test(key) && section) {
      const target = section.querySelector(`[data-digit="${key}"]`);
      if (target) {
        e.preventDefault();
        if (target.type === "radio") { target.checked = true; target.focus(); } else { target.click(); }
      }
      return;
    }
    const focusable = main.querySelector(`[data-focus-key="${key}"]`);
    if (focusable) { e.preventDefault(); focusable.focus(); if (focusable.select) focusable.select(); return; }
    if (key === "d") {
      section = document.getElementById("presets");
      const first = section && section.querySelector("button");
      if (first) { e.preventDefault(); first.focus(); }
      return;
    }
    const details = main.querySelector(`details[data-key="${key}"]`);
    if (details) {
      e.preventDefault();
      details.open = true;
      section = details;
      const field = details.querySelector("input:not([type=hidden]):not([type=radio]):not([type=checkbox]), textarea, select, button");
      const radio = details.querySelector("input[type=radio]:checked");
      (radio || field)?.focus();
      return;
    }
    const button = main.querySelector(`button[data-key="${key}"]`);
    if (button) { e.preventDefault(); button.click(); }
  });
}

// Photos for an abnormal opening: a file chosen is uploaded to the lot
// with the session's CSRF token and ticked as evidence.
function uploads(root) {
  for (const input of root.querySelectorAll("input[type=file][data-upload]")) {
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      if (!file) return;
      const csrf = document.querySelector('meta[name="csrf"]').content;
      const res = await fetch(input.dataset.upload, {
        method: "POST",
        headers: { "content-type": file.type || "image/jpeg", "x-csrf-token": csrf },
        body: file,
      });
      const fieldset = input.closest("fieldset");
      if (!res.ok) {
        const p = document.createElement("p");
        p.className = "field-error";
        p.setAttribute("role", "alert");
        p.textContent = (await res.json().catch(() => ({}))).error?.message ?? res.statusText;
        fieldset.append(p);
        return;
      }
      const stored = await res.json();
      const label = document.createElement("label");
      label.className = "thumb";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.name = input.dataset.field;
      box.value = stored.digest;
      box.checked = true;
      const img = document.createElement("img");
      img.src = stored.url;
      img.alt = file.name;
      label.append(box, img);
      fieldset.querySelector(".uploads").append(label);
      input.value = "";
      document.dispatchEvent(new CustomEvent("console:uploaded"));
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const state = document.getElementById("desk-state");
  if (!state) return;
  const shown = state.dataset.case;
  deskKeys();
  uploads(document);
  // The evidence list is re-rendered live: keep what was ticked (and uploaded).
  let ticked = [];
  let uploaded = [];
  const remember = () => {
    ticked = [...document.querySelectorAll("#desk-evidence input[type=checkbox]:checked")].map((b) => b.value);
    uploaded = [...document.querySelectorAll("#desk-evidence .uploads label")];
  };
  document.addEventListener("change", (e) => { if (e.target.closest && e.target.closest("#desk-evidence")) remember(); });
  document.addEventListener("console:uploaded", remember);
  document.addEventListener("console:swapped", (e) => {
    if (e.detail === "desk-state") {
      const now = document.getElementById("desk-state").dataset.case;
      if (now !== shown) location.href = now ? `/console/desk?case=${encodeURIComponent(now)}` : "/console/desk";
    }
    if (e.detail === "desk-evidence") {
      const fresh = document.getElementById("desk-evidence");
      for (const box of fresh.querySelectorAll("input[type=checkbox]")) box.checked = ticked.includes(box.value);
      for (const label of uploaded) {
        const field = label.querySelector("input").name;
        fresh.querySelector(`fieldset[data-field="${field}"] .uploads`)?.append(label);
      }
      uploads(fresh);
    }
  });
});

// A module dropped on the upload zone is uploaded at once.
document.addEventListener("DOMContentLoaded", () => {
  const zone = document.getElementById("drop-zone");
  if (!zone) return;
  const input = document.getElementById("module-file");
  const form = document.getElementById("upload-form");
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add("over"); });
  }
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    if (!e.dataTransfer || e.dataTransfer.files.length === 0) return;
    input.files = e.dataTransfer.files;
    form.requestSubmit();
  });
});
