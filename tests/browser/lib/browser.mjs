// Debian's Chromium, driven by playwright-core (which never downloads a
// browser): headless, no sandbox (the tests run as root), and none of the
// background traffic this machine's closed network refuses.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
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

export async function shot(page, name) {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}
