// The agent's home (seed 001 §2.3.1): binding and changing the seat calls
// ring at, every seat, the lots with search and map, and a lot's panel.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startService, uniquePhone } from "./lib/service.mjs";
import { launch, newBrowser, shot } from "./lib/browser.mjs";
import { logIn } from "./lib/login.mjs";

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

test("an agent binds a seat, changes it, and another agent cannot take it", async () => {
  const context = await newBrowser(browser, "zh-CN");
  const page = await context.newPage();
  await logIn(service, page, "13800000002");
  await assert.doesNotReject(page.locator("#my-seat").getByText("您还没有绑定座席").waitFor());
  await page.getByLabel("座席号（分机号）").fill("8001");
  await page.getByRole("button", { name: "绑定座席" }).click();
  await assert.doesNotReject(page.getByRole("status").getByText("已绑定座席 8001。").waitFor());
  assert.match(await page.locator("#my-seat").textContent(), /您在座席 8001/);
  await page.getByLabel("座席号（分机号）").fill("8002");
  await page.getByRole("button", { name: "更换座席" }).click();
  await assert.doesNotReject(page.getByRole("status").getByText("已绑定座席 8002。").waitFor());
  await page.locator("#all-seats summary").click();
  const seats = await page.locator("#seats tbody tr").evaluateAll((rows) =>
    rows.map((r) => [...r.cells].slice(0, 2).map((c) => c.textContent)),
  );
  assert.deepEqual(seats, [["8002", "Demo agent"]], "the seat moved: 8001 is free again");
  await shot(page, "home-agent-seat-zh-CN");

  // Another agent of the lot tries the same seat: refused at the field.
  const phone = uniquePhone();
  const other = await service.api("POST", "/v1/people", service.ownerToken, {
    name: "Second agent", phone, role: "agent", lots: ["demo"], locale: "en",
  });
  assert.equal(other.status, 201);
  const second = await (await newBrowser(browser, "en")).newPage();
  await logIn(service, second, phone);
  await second.getByLabel("Seat (extension) number").fill("8002");
  await second.getByRole("button", { name: "Take the seat" }).click();
  await assert.doesNotReject(
    second.locator("#seat-number[aria-invalid=true] + #seat-error").getByText(/sits at seat `8002`/).waitFor(),
  );
  await second.getByLabel("Seat (extension) number").fill("8 0 0 3!");
  await second.getByRole("button", { name: "Take the seat" }).click();
  await assert.doesNotReject(second.locator("#seat-error").getByText(/is not a seat number/).waitFor());
  await second.context().close();

  await page.getByRole("button", { name: "离开座席" }).click();
  await assert.doesNotReject(page.getByRole("status").getByText("您已离开座席。").waitFor());
  await context.close();
});

test("lots are searchable, on the map, and each has its information panel", async () => {
  const context = await newBrowser(browser, "zh-CN");
  const page = await context.newPage();
  await logIn(service, page, "13800000002");
  assert.equal(await page.locator("#lots tbody tr").count(), 1);
  assert.equal(await page.locator("#lot-map circle").count(), 1);
  // "/" jumps to the search field.
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement.id), "lot-search");
  await page.keyboard.type("科技园");
  await page.keyboard.press("Enter");
  await page.waitForURL(/q=/);
  assert.equal(await page.locator('#lots tr[data-lot="demo"]').count(), 1);
  await page.locator("#lot-search").fill("no such place");
  await page.locator("#lot-search").press("Enter");
  await assert.doesNotReject(page.getByText("没有匹配的车场。").waitFor());

  await page.goto(`${service.url}/console`);
  await page.locator('#lots tr[data-lot="demo"]').getByRole("link", { name: "信息" }).click();
  await page.waitForURL(/\/console\/lots\/demo\/info/);
  assert.equal((await page.locator("#free-spaces").textContent()).trim(), "120 / 120");
  assert.equal((await page.locator("#visitors-admitted").textContent()).trim(), "是");
  assert.match(await page.locator("#fee-schedule").textContent(), /30分钟内免费/);
  assert.match(await page.locator("#emergency-contact").textContent(), /张三 13000000000/);
  assert.equal(await page.locator("#emergency-contact a").getAttribute("href"), "tel:13000000000");
  assert.equal(await page.locator("#gates tbody tr").count(), 2);
  await shot(page, "lot-info-zh-CN");

  // In the agent's own language, the policy's texts too.
  await page.goto(`${service.url}/console/me`);
  await page.getByLabel("语言").selectOption("en");
  await page.getByRole("button", { name: "保存" }).click();
  await assert.doesNotReject(page.getByRole("status").getByText("Saved.").waitFor());
  await page.goto(`${service.url}/console/lots/demo/info`);
  assert.equal((await page.locator("#free-spaces").textContent()).trim(), "120 of 120");
  assert.match(await page.locator("#fee-schedule").textContent(), /free/i);
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await context.close();
});

test("another owner's lot is nobody's business", async () => {
  const context = await newBrowser(browser, "en");
  const page = await context.newPage();
  await logIn(service, page, "13800000002");
  const res = await page.goto(`${service.url}/console/lots/not-ours/info`);
  assert.equal(res.status(), 404);
  await context.close();
});
