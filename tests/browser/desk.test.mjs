// The agent's desk (seed 001 §2.3.2), played as an agent clicks and types
// it: a call arrives live on the idle desk, the agent reads the scene and
// the facts, acts (presets, open, abnormal open with evidence, visitor,
// plate correction, the similar-plates match, a payment arriving, the
// stated-time exit) and closes the case (关单) back to idle. What the robot
// is told is read back from its own commands API.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startService } from "./lib/service.mjs";
import { launch, newBrowser, shot } from "./lib/browser.mjs";
import { logIn } from "./lib/login.mjs";

// A 1×1 PNG: what a robot's camera uploads, as far as the service checks.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);
const ENTRY_SIM = "13900000001";
const EXIT_SIM = "13900000002";

let service;
let browser;
let telephony;
let page;

before(async () => {
  // A held vehicle is congestion after a second, not a minute.
  service = await startService({ config: "congestion_after_seconds = 1\n" });
  browser = await launch();
  const made = await service.api("POST", "/v1/tokens", service.ownerToken, {
    role: "telephony", name: "PBX", lots: ["demo"],
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  telephony = made.body.token;
  const context = await newBrowser(browser, "zh-CN");
  page = await context.newPage();
  await logIn(service, page, "13800000002");
  await page.locator("#seat-number").fill("8001");
  await page.locator('form[action="/console/seat"] button').click();
  await page.getByRole("status").getByText("已绑定座席 8001。").waitFor();
});

after(async () => {
  await browser?.close();
  await service?.stop();
});

/** The robot's SIM rings the agent's seat: the telephony system says so. */
async function ring(sim) {
  const res = await service.api("POST", "/v1/calls", telephony, { caller: sim, seat: "8001" });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

/** The last command the robot at a gate was told. */
async function told(robotToken) {
  const res = await service.api("GET", "/v1/robot/commands", robotToken);
  return res.body.commands.at(-1);
}

let accounts = 0;
async function pass(plate, days, account = `acct-${++accounts}`) {
  // The demo lot's date (Asia/Shanghai, UTC+8), as the policy counts days.
  const until = new Date(Date.now() + 8 * 3600000 + days * 86400000).toISOString().slice(0, 10);
  const res = await service.api("POST", "/v1/lots/demo/monthly-passes", service.ownerToken, {
    plate, valid_until: until, account, spaces: 1,
  });
  assert.ok(res.status < 300, JSON.stringify(res.body));
}

async function capture(robotToken, kind) {
  const res = await fetch(`${service.url}/v1/robot/captures?kind=${kind}`, {
    method: "POST",
    headers: { authorization: `Bearer ${robotToken}`, "content-type": "image/png" },
    body: PNG,
  });
  assert.equal(res.status, 201);
  return res.json();
}

/** The desk, idle, waiting for what comes (the page is never reloaded by the test). */
async function idleDesk() {
  await page.goto(`${service.url}/console/desk`);
  await page.locator("#idle").waitFor();
}

/** The line at the top after an act. */
async function said(text) {
  await page.getByRole("status").filter({ hasText: text }).waitFor();
}

async function closeCase(outcome) {
  await page.keyboard.press("c");
  assert.equal(await page.evaluate(() => document.activeElement.id), "outcome");
  await page.locator("#outcome").selectOption(outcome);
  await page.locator('#close-case button[type="submit"]').click();
  await said("已关单。");
  await page.locator("#idle").waitFor();
}

test("entry scenes: no plate, an expired pass, a visitor, a misread pass, shared spaces (B1–B5)", async () => {
  // B3: no plate. The call arrives on the idle desk by itself.
  await idleDesk();
  const held = await service.event(service.entryRobotToken, "d-in-1", null);
  assert.equal(held.body.reason, "unplated_entry");
  await ring(ENTRY_SIM);
  await page.locator("#desk-call").waitFor();
  assert.equal((await page.locator("#call-caller").textContent()).trim(), ENTRY_SIM);
  assert.match(await page.locator("#call-robot").textContent(), new RegExp(ENTRY_SIM));
  assert.match(await page.locator("#held-reason").textContent(), /无牌车入场/);
  assert.match(await page.locator("#robot-display").textContent(), /二维码/);
  await shot(page, "desk-entry-zh-CN");
  // B3a: the unplated-entry code, with the keyboard: D, then its number.
  const digit = await page.locator('button[data-preset="unplated_entry_qr"]').getAttribute("data-digit");
  await page.keyboard.press("d");
  await page.keyboard.press(digit);
  await said("已发送到显示屏：您的车牌无法识别");
  assert.deepEqual((await told(service.entryRobotToken)).display, { kind: "qr", qr: "unplated_entry" });
  // B3b: a police car: abnormal open, reason 1, a note, Ctrl+Enter.
  await page.keyboard.press("a");
  await page.keyboard.press("Tab");
  await page.keyboard.type("警车粤BXXXXX，XX警官进出");
  await page.keyboard.press("Control+Enter");
  await said("已开闸：欢迎光临");
  const opened = await told(service.entryRobotToken);
  assert.equal(opened.gate, "open");
  assert.equal(opened.voice, "欢迎光临");
  const acts = await page.locator("#desk-acts li").evaluateAll((items) => items.map((i) => i.dataset.act));
  // The call opened the case, then the display, then the opening.
  assert.deepEqual(acts, ["opened", "display", "open"]);
  await closeCase("opened");

  // B2: a pass expired five days ago: opening is refused with the policy's
  // reason; the renewal code goes to the display instead.
  await pass("粤B20002", -5);
  const expired = await service.event(service.entryRobotToken, "d-in-2", "粤B20002");
  assert.equal(expired.body.reason, "monthly_pass_expired_renew");
  await ring(ENTRY_SIM);
  await page.locator("#desk-call").waitFor();
  assert.match(await page.locator("#fact-pass").textContent(), /已过期 5 天/);
  await page.keyboard.press("o");
  await said("策略未放行（月卡已过期，需续费）");
  await page.locator('button[data-preset="renewal_qr"]').click();
  await said("已发送到显示屏：您的月卡已过期，请扫码缴费");
  assert.deepEqual((await told(service.entryRobotToken)).display, { kind: "qr", qr: "monthly_renewal" });
  await closeCase("turned_away");

  // B4: a visitor where visitors are confirmed: the agent registers the
  // driver's phone and why they come.
  const versions = await service.api("GET", "/v1/lots/demo/policies", service.ownerToken);
  const active = versions.body.find((v) => v.active);
  const made = await service.api("POST", "/v1/lots/demo/policies", service.ownerToken, {
    module: active.module, settings: { ...active.settings, visitor_confirmation: true },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const on = await service.api("POST", `/v1/lots/demo/policies/${made.body.version}/activate`, service.ownerToken);
  assert.equal(on.status, 200);
  const visitor = await service.event(service.entryRobotToken, "d-in-3", "粤B40001");
  assert.equal(visitor.body.reason, "visitor_confirmation_required");
  await ring(ENTRY_SIM);
  await page.locator("#desk-call").waitFor();
  await page.keyboard.press("v");
  assert.equal(await page.evaluate(() => document.activeElement.id), "visitor-phone");
  await page.keyboard.type("13800000000");
  await page.locator("#visitor-reason").fill("1单元303业主客人，业主已确认放行");
  await page.locator('#visitor button[type="submit"]').click();
  await said("已开闸");
  assert.equal((await told(service.entryRobotToken)).gate, "open");
  await closeCase("opened");

  // B1: a valid pass read as a stranger: the agent corrects the plate.
  await pass("粤B10001", 30);
  const misread = await service.event(service.entryRobotToken, "d-in-4", "粤B1O001");
  assert.equal(misread.body.reason, "visitor_confirmation_required");
  await ring(ENTRY_SIM);
  await page.locator("#desk-call").waitFor();
  await page.keyboard.press("p");
  await page.keyboard.press("Control+a");
  await page.keyboard.type("粤B10001");
  await page.keyboard.press("Enter");
  await said("已开闸：欢迎回家");
  await closeCase("opened");

  // B5: the account's one space is taken: the vehicles inside go to the
  // display, and the driver turns back.
  await pass("粤B50001", 30, "acct-b5");
  await pass("粤B50002", 30, "acct-b5");
  assert.equal((await service.event(service.entryRobotToken, "d-in-5", "粤B50001", 1)).body.gate, "open");
  const full = await service.event(service.entryRobotToken, "d-in-6", "粤B50002");
  assert.equal(full.body.reason, "shared_spaces_full");
  await ring(ENTRY_SIM);
  await page.locator("#desk-call").waitFor();
  assert.match(await page.locator("#fact-pass").textContent(), /场内 1 辆/);
  await page.locator('button[data-preset="shared_spaces_full"]').click();
  await said("已发送到显示屏");
  const shown = await told(service.entryRobotToken);
  assert.deepEqual(shown.display, { kind: "vehicles_inside" });
  assert.equal(shown.light, "yellow");
  await closeCase("turned_away");
  // Back to the policy the other scenes expect.
  const back = await service.api("POST", `/v1/lots/demo/policies/${active.version}/activate`, service.ownerToken);
  assert.equal(back.status, 200);
});

test("exit scenes: a lapsed pass, a misread plate, the similar-plates match and a payment, evidence (C1–C4, C6)", async () => {
  // C2: a pass that lapsed six days ago while the car was inside: the
  // renewal code; the driver pays the stay instead; the agent opens.
  await pass("粤B22222", 30, "acct-c2");
  await service.event(service.entryRobotToken, "d-in-20", "粤B22222", 290);
  await pass("粤B22222", -6, "acct-c2");
  await idleDesk();
  const lapsed = await service.event(service.exitRobotToken, "d-out-20", "粤B22222");
  assert.equal(lapsed.body.reason, "monthly_pass_expired_renew");
  await ring(EXIT_SIM);
  await page.locator("#desk-call").waitFor();
  await page.locator('button[data-preset="renewal_qr"]').click();
  await said("已发送到显示屏：您的月卡已过期，请扫码缴费");
  const due = lapsed.body.fee?.amount ?? 1700;
  const paidStay = await service.api("POST", "/v1/lots/demo/payments", service.paymentsToken, {
    plate: "粤B22222", amount: due, paid_at: new Date().toISOString(), payment_id: "wx-desk-c2",
  });
  assert.equal(paidStay.status, 201, JSON.stringify(paidStay.body));
  await page.keyboard.press("o");
  await said("已开闸：一路平安");
  await closeCase("paid");

  // C1: a valid pass misread at the exit: the robot escalates, the case
  // waits on the idle desk, the agent answers it (N) and corrects the plate.
  await pass("粤B11111", 30);
  await service.event(service.entryRobotToken, "d-in-11", "粤B11111", 120);
  await service.event(service.entryRobotToken, "d-in-12", "粤B77777", 90);
  await idleDesk();
  const misread = await service.event(service.exitRobotToken, "d-out-11", "粤B1111I");
  assert.equal(misread.body.reason, "no_entry_record");
  await page.locator("tr.waiting-case").waitFor();
  await page.keyboard.press("n");
  await said("已接听。");
  await page.locator("#desk-call").waitFor();
  // The stated-time exit first: 粤B77777 left without being read.
  await page.keyboard.press("t");
  const stay = await page.locator("#stated-session option", { hasText: "粤B77777" }).getAttribute("value");
  await page.locator("#stated-session").selectOption(stay);
  await page.locator("#stated-note").fill("出口未识别，客户称刚刚离场");
  await page.locator('#stated button[type="submit"]').click();
  await said("停车记录已关闭，应缴 ");
  assert.match(await page.getByRole("status").textContent(), /8\.00/);
  // Now the plate.
  await page.keyboard.press("p");
  await page.keyboard.press("Control+a");
  await page.keyboard.type("粤B11111");
  await page.keyboard.press("Enter");
  await said("已开闸：一路平安");
  await closeCase("opened");

  // C6 + C4 + C2d: the entry was misread; the similar plates inside offer
  // it; matched, the stay owes; the quick-pay code; the payment arrives and
  // the facts change by themselves; looked up again, the gate opens.
  await service.event(service.entryRobotToken, "d-in-16", "粤B856Z1", 150);
  await idleDesk();
  await service.event(service.exitRobotToken, "d-out-16", "粤B85621");
  await page.locator("tr.waiting-case").waitFor();
  await page.keyboard.press("n");
  await page.locator("#desk-call").waitFor();
  const first = page.locator("ol.similar li").first();
  assert.match(await first.textContent(), /粤B856Z1/);
  await shot(page, "desk-exit-similar-zh-CN");
  await first.getByRole("button", { name: "确认为该车辆" }).click();
  await said("策略未放行（需缴费）");
  const fee = (await page.locator("#held-fee").textContent()).trim();
  assert.match(fee, /11\.00/);
  await page.keyboard.press("q");
  await said("已发送到显示屏：请扫码缴费或者出示您的微信付款码");
  const paid = await service.api("POST", "/v1/lots/demo/payments", service.paymentsToken, {
    plate: "粤B856Z1", amount: 1100, paid_at: new Date().toISOString(), payment_id: "wx-desk-1",
  });
  assert.equal(paid.status, 201, JSON.stringify(paid.body));
  // The payment shows on the stay's facts without a reload.
  await page.locator("#fact-payments").getByText("11.00 CNY").waitFor();
  await page.keyboard.press("r");
  await said("已开闸：一路平安");
  await closeCase("paid");

  // C3: no plate at the exit: an abnormal opening needs evidence; the
  // robot's cameras send it, the desk shows it by itself, the agent ticks it.
  await idleDesk();
  const unplated = await service.event(service.exitRobotToken, "d-out-13", null);
  assert.equal(unplated.body.reason, "unplated_exit");
  await ring(EXIT_SIM);
  await page.locator("#desk-call").waitFor();
  await page.keyboard.press("a");
  await page.locator("#abnormal-note").fill("救护车，无牌");
  await page.locator('#abnormal button[type="submit"]').click();
  await page.locator('#abnormal p.field-error[data-form="abnormal"]').getByText(/needs 1 to 4 photos, not 0/).waitFor();
  // The section stays open, with what was typed.
  assert.equal(await page.locator("#abnormal").getAttribute("open"), "");
  assert.equal(await page.locator("#abnormal-note").inputValue(), "救护车，无牌");
  const id = await capture(service.exitRobotToken, "id_card");
  const sceneShot = await capture(service.exitRobotToken, "scene");
  await page.locator(`#desk-evidence input[name="id_photos"][value="${id.digest}"]`).check();
  await page.locator(`#desk-evidence input[name="scene_photos"][value="${sceneShot.digest}"]`).check();
  await shot(page, "desk-exit-evidence-zh-CN");
  await page.locator('#abnormal button[type="submit"]').click();
  await said("已开闸：一路平安");
  await closeCase("opened");
  const openings = await service.api("GET", "/v1/lots/demo/openings", service.ownerToken);
  const abnormal = openings.body.find((o) => o.kind === "abnormal");
  assert.equal(abnormal.id_photos.length, 1);
  assert.equal(abnormal.scene_photos.length, 1);
});

test("the call from the congestion list opens the case on the desk; ? shows the keys", async () => {
  await service.event(service.exitRobotToken, "d-out-21", "粤B31313");
  await page.goto(`${service.url}/console/congestion`);
  const row = page.locator('tr.congested[data-gate="north-exit"]');
  await row.waitFor();
  await row.getByRole("button", { name: "呼叫" }).click();
  await page.waitForURL(/\/console\/desk\?case=/);
  assert.match(await page.locator("#call-robot a.tel").getAttribute("href"), new RegExp(`tel:${EXIT_SIM}`));
  await page.keyboard.press("?");
  await page.locator("#key-sheet[open]").waitFor();
  await page.keyboard.press("Escape");
  // Every action button says its key to assistive technology.
  for (const key of ["O", "R"]) assert.equal(await page.locator(`button[aria-keyshortcuts="${key}"]`).count(), 1);
  await closeCase("no_answer");
});
