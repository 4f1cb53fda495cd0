// The policy life cycle in the back office: an owner drops the standard
// policy's module on the page, fixes a setting the module refuses at its
// field, previews what the new version changes in recent decisions,
// activates it, sees it decide, and rolls back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startService } from "./lib/service.mjs";
import { launch, newBrowser, shot } from "./lib/browser.mjs";
import { logIn } from "./lib/login.mjs";

const binary = process.env.BOOMGATE_BIN ?? resolve(import.meta.dirname, "../../target/debug/boomgate");
let service;
let browser;
let wasm;

before(async () => {
  service = await startService();
  browser = await launch();
  // The module as a policy author has it: exported by the CLI.
  const out = join(mkdtempSync(join(tmpdir(), "boomgate-policy-")), "standard-lot.wasm");
  execFileSync(binary, ["policy", "export", "standard-lot", "--out", out]);
  wasm = readFileSync(out);
});

after(async () => {
  await browser?.close();
  await service?.stop();
});

test("upload by drag and drop, a refused setting fixed at its field, preview, activate, roll back", async () => {
  // Recent history: a visitor who stayed 20 minutes left free under the 30 free minutes.
  await service.event(service.entryRobotToken, "p-in-1", "粤B20020", 20);
  const left = await service.event(service.exitRobotToken, "p-out-1", "粤B20020");
  assert.equal(left.body.gate, "open");

  const context = await newBrowser(browser, "en");
  const page = await context.newPage();
  await logIn(service, page, "13800000001");
  await page.goto(`${service.url}/console/me`);
  await page.locator("#locale").selectOption("en");
  await page.locator('form[action="/console/me"] button').click();
  await page.goto(`${service.url}/console/lots/demo/policies`);
  assert.equal(await page.locator('#version-list tr[data-version="1"] .tag').textContent(), "active");

  // Drag the file onto the drop zone, as from a file manager.
  const transfer = await page.evaluateHandle((bytes) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], "standard-lot.wasm", { type: "application/wasm" }));
    return data;
  }, [...wasm]);
  await page.locator("#drop-zone").dispatchEvent("drop", { dataTransfer: transfer });
  await page.waitForURL(/\/policies\/new\?module=/);
  assert.match(await page.locator("#module-info").textContent(), /standard-lot/);
  // The form is drawn from the module's schema, filled from the active version.
  const free = page.locator("#s-fees-free_minutes");
  assert.equal(await free.inputValue(), "30");
  await free.fill("-1");
  await page.locator("#version-note").fill("15 free minutes");
  await page.getByRole("button", { name: "Create the version and preview it" }).click();
  // The module's refusal, at the field it names, the typed value kept.
  await page.locator("#s-fees-free_minutes-error").waitFor();
  assert.equal(await page.locator("#s-fees-free_minutes").getAttribute("aria-invalid"), "true");
  assert.equal(await page.locator("#s-fees-free_minutes").inputValue(), "-1");
  assert.equal(await page.locator("#version-note").inputValue(), "15 free minutes");
  await shot(page, "policy-field-error-en");
  await page.locator("#s-fees-free_minutes").fill("15");
  await page.getByRole("button", { name: "Create the version and preview it" }).click();
  await page.waitForURL(/\/policies\/2\?preview=1/);
  // The preview: the stay of 20 minutes would now pay.
  assert.match(await page.locator("#preview-summary").textContent(), /would differ/);
  const changed = page.locator("#preview-list tr").filter({ hasText: "粤B20020" });
  await changed.waitFor();
  assert.match(await changed.locator("td.after").textContent(), /payment required/);
  await shot(page, "policy-preview-en");
  await page.locator("#activate").click();
  await page.getByRole("status").getByText("Version 2 is active.").waitFor();

  // Version 2 decides what comes now, and the decisions log says so.
  await service.event(service.entryRobotToken, "p-in-2", "粤B20021", 20);
  const held = await service.event(service.exitRobotToken, "p-out-2", "粤B20021");
  assert.equal(held.body.reason, "payment_required");
  await page.goto(`${service.url}/console/lots/demo/decisions?version=2`);
  await page.locator("#decision-list tbody tr").filter({ hasText: "粤B20021" }).first().waitFor();

  // Roll back.
  await page.goto(`${service.url}/console/lots/demo/policies`);
  await page.locator('#version-list tr[data-version="1"]').getByRole("button", { name: "Roll back to this" }).click();
  await page.getByRole("status").getByText("Version 1 is active.").waitFor();
  assert.equal(await page.locator('#version-list tr[data-version="1"] .tag').textContent(), "active");
  await context.close();
});

test("a file that is not a policy is refused, saying why", async () => {
  const context = await newBrowser(browser, "en");
  const page = await context.newPage();
  await logIn(service, page, "13800000001");
  await page.goto(`${service.url}/console/lots/demo/policies`);
  await page.locator("#module-file").setInputFiles({ name: "notes.wasm", mimeType: "application/wasm", buffer: Buffer.from("not wasm") });
  await page.locator('#upload-form button[type="submit"]').click();
  await page.locator('#upload p.field-error[data-form="upload"]').waitFor();
  await context.close();
});
