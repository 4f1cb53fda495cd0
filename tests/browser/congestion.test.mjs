// The congestion list (seed 001 §2.3.3): gates where a vehicle waits, live,
// longest wait first, with the robot's number to call.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startService } from "./lib/service.mjs";
import { launch, newBrowser, shot } from "./lib/browser.mjs";
import { logIn } from "./lib/login.mjs";

let service;
let browser;

before(async () => {
  // A vehicle held for a second counts as waiting, so the test need not wait a minute.
  service = await startService({ config: "congestion_after_seconds = 1\n" });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await service?.stop();
});

test("held vehicles appear live, longest wait first, and change when let through", async () => {
  const context = await newBrowser(browser, "zh-CN");
  const page = await context.newPage();
  await logIn(service, page, "13800000002");
  await page.getByRole("link", { name: "拥堵列表" }).click();
  await page.waitForURL(/\/console\/congestion/);
  await assert.doesNotReject(page.getByText("没有等待中的车辆或故障。").waitFor());
  // The page is not reloaded from here on: what changes arrives by itself.
  await page.evaluate(() => { window.notReloaded = true; });

  const exit = await service.event(service.exitRobotToken, "c-out-1", "粤B99999");
  assert.equal(exit.body.gate, "hold");
  assert.equal(exit.body.reason, "no_entry_record");
  const row = page.locator('tr.congested[data-gate="north-exit"]');
  await row.waitFor();
  assert.match(await row.textContent(), /粤B99999/);
  assert.match(await row.textContent(), /无入场记录/);
  assert.match(await row.locator("a.tel").getAttribute("href"), /^tel:139/);

  const entry = await service.event(service.entryRobotToken, "c-in-1", null);
  assert.equal(entry.body.gate, "hold");
  await page.locator('tr.congested[data-gate="north-entry"]').waitFor();
  const order = await page.locator("tr.congested").evaluateAll((rows) => rows.map((r) => r.dataset.gate));
  assert.deepEqual(order, ["north-exit", "north-entry"], "the longest wait first");
  await shot(page, "congestion-zh-CN");

  // A vehicle that entered minutes ago leaves free: nothing is held at the
  // exit any more, but the robot's call for the first one is still open and
  // unanswered, so the gate stays on the list as such.
  await service.event(service.entryRobotToken, "c-in-2", "粤B10001", 5);
  const free = await service.event(service.exitRobotToken, "c-out-2", "粤B10001");
  assert.equal(free.body.gate, "open");
  await page.locator('tr.congested[data-gate="north-exit"][data-kind="case_waiting"]').waitFor();
  assert.match(await row.textContent(), /呼叫未接/);
  assert.equal(await page.evaluate(() => window.notReloaded), true);
  await context.close();
});
