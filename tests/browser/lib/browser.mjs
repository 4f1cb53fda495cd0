// Debian's Chromium, driven by playwright-core (which never downloads a
// browser): headless, no sandbox (the tests run as root), and none of the
// background traffic this machine's closed network refuses.
import { chromium } from "playwright-core";
import { copyFileSync, mkdirSync } from "node:fs";
import { resolve, join } from "node:path";

const executablePath = process.env.BOOMGATE_CHROMIUM ?? "/usr/bin/chromium";
export const screenshots = resolve(import.meta.dirname, "../../../target/screenshots");

export async function launch() {
  mkdirSync(screenshots, { recursive: true });
  return chromium.launch({
    executablePath,
    headless: true,
    chromiumSandbox: false,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** A new browser profile (cookies and all): a browser never seen before. */
export async function newBrowser(browser, locale = "zh-CN") {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(10000);
  return context;
}

/** The pages the README shows: refreshed with `BOOMGATE_SCREENSHOTS=update`. */
const docs = resolve(import.meta.dirname, "../../../docs/console");
const shown = new Set(["login-zh-CN", "desk-exit-similar-zh-CN", "congestion-zh-CN", "home-agent-seat-zh-CN", "backoffice-devices-en", "policy-preview-en", "daily-zh-CN"]);

/** A screenshot in target/screenshots (and the README's, when asked). */
export async function shot(page, name) {
  const path = join(screenshots, `${name}.png`);
  await page.screenshot({ path, fullPage: !shown.has(name) });
  if (process.env.BOOMGATE_SCREENSHOTS === "update" && shown.has(name)) {
    mkdirSync(docs, { recursive: true });
    copyFileSync(path, join(docs, `${name}.png`));
  }
}
