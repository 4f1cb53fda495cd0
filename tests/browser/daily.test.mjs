// Daily control (seed 001 §2.4): an agent looks up a caller's phone, a
// plate's monthly pass with its payments and pending renewal, a plate's
// stay with its entry photo and what is due, and decides renewals.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startService } from "./lib/service.mjs";
import { launch, newBrowser, shot } from "./lib/browser.mjs";
import { logIn } from "./lib/login.mjs";

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

let service;
let browser;

before(async () => {
  service = await startService();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await service?.stop();
});

test("a caller's phone, a pass with a renewal waiting, a stay with its photo; the renewal approved", async () => {
  // A pass whose holder calls, expired three days ago (the lot's date), and its renewal application.
  const until = new Date(Date.now() + 8 * 3600000 - 3 * 86400000).toISOString().slice(0, 10);
  const put = await service.api("POST", "/v1/lots/demo/monthly-passes", service.ownerToken, {
    plate: "粤B60006", valid_until: until, account: "2-101", spaces: 1, holder: "李四", phone: "13712345678",
  });
  assert.equal(put.status, 201, JSON.stringify(put.body));
  const applied = await service.api("POST", "/v1/lots/demo/pass-applications", service.agentToken, { plate: "粤B60006", months: 3 });
  assert.equal(applied.status, 201, JSON.stringify(applied.body));
  // A visitor's stay with its entry photo.
  const photo = await fetch(`${service.url}/v1/photos`, {
    method: "POST",
    headers: { authorization: `Bearer ${service.entryRobotToken}`, "content-type": "image/png" },
    body: PNG,
  }).then((r) => r.json());
  const entered = await service.api("POST", "/v1/events", service.entryRobotToken, {
    event_id: "daily-in-1", plate: "粤B70007", occurred_at: new Date(Date.now() - 95 * 60000).toISOString(), photo: photo.digest,
  });
  assert.equal(entered.body.gate, "open");

  const context = await newBrowser(browser, "zh-CN");
  const page = await context.newPage();
  await logIn(service, page, "13800000002");
  await page.getByRole("link", { name: "日常管控" }).click();

  // The caller's phone: their pass.
  await page.locator("#q-phone").fill("13712345678");
  await page.locator("#phone-query button").click();
  await page.locator("#phone-passes").getByText("粤B60006").waitFor();
  assert.match(await page.locator("#phone-passes").textContent(), /已过期 3 天/);

  // The pass: expired, the renewal waiting, a link to its orders.
  await page.locator("#p-plate").fill("粤B60006");
  await page.locator("#pass-query button").click();
  const pass = page.locator('article.pass[data-plate="粤B60006"]');
  await pass.waitFor();
  assert.match(await pass.textContent(), /待处理的申请: 3/);
  assert.equal(await pass.getByRole("link", { name: "订单 →" }).count(), 1);

  // The stay: the entry photo, 95 minutes, 8.00 due now, payment required at an exit.
  await page.locator("#s-plate").fill("粤B70007");
  await page.locator("#stay-query button").click();
  const row = page.locator("#stays tbody tr").first();
  await row.waitFor();
  assert.equal(await row.locator("img.entry-photo").count(), 1);
  assert.equal((await row.locator("td.due").textContent()).trim(), "8.00 CNY");
  assert.match(await row.textContent(), /需缴费/);
  await shot(page, "daily-zh-CN");

  // Every lookup is in the owner's access log.
  const log = await service.api("GET", "/v1/access-log", service.ownerToken);
  assert.ok(log.body.length >= 3, JSON.stringify(log.body));

  // The renewal, approved from its queue.
  await page.goto(`${service.url}/console/lots/demo/applications`);
  await page.locator(`tr[data-application="${applied.body.id}"]`).getByRole("button", { name: "批准" }).click();
  await page.getByRole("status").getByText("已批准。").waitFor();
  assert.equal(await page.locator(`tr[data-application="${applied.body.id}"]`).count(), 0);
  await context.close();
});

test("a wrong phone is refused at the query, naming it", async () => {
  const context = await newBrowser(browser, "en");
  const page = await context.newPage();
  await logIn(service, page, "13800000002");
  await page.goto(`${service.url}/console/daily?q=phone&phone=12`);
  await page.locator("#query-error").getByText(/phone/).waitFor();
  await context.close();
});
