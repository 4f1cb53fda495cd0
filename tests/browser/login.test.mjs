// Logging in to the console as a person would (seed 002): the phone on
// record, the code the development sender "sent", the lock after the 10th
// wrong code, logging out, and the forms' CSRF protection.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startService, eventually, uniquePhone } from "./lib/service.mjs";
import { launch, newBrowser, shot } from "./lib/browser.mjs";

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

/** Logs in at the login page with `phone`, reading the code from the dev page. */
async function logIn(page, phone) {
  await page.goto(`${service.url}/`);
  await page.getByLabel(/手机号码|Phone number|휴대폰 번호/).fill(phone);
  await page.getByRole("button", { name: /发送验证码|Send code|인증번호 받기/ }).click();
  await page.waitForURL(/\/console\/login\/code/);
  const code = await eventually(() => service.latestCode(phone), `a code for ${phone}`);
  await page.getByLabel(/验证码|Code|인증번호/).fill(code);
  await page.getByRole("button", { name: /^(登录|Log in|로그인)$/ }).click();
  return code;
}

test("the demo agent logs in with the code from the dev page and out again", async () => {
  const context = await newBrowser(browser, "zh-CN");
  const page = await context.newPage();
  await page.goto(`${service.url}/`);
  await page.waitForURL(/\/console\/login\?next=%2Fconsole/);
  await shot(page, "login-zh-CN");
  await page.getByLabel("手机号码").fill("138 0000 0002");
  await page.getByRole("button", { name: "发送验证码" }).click();
  await page.waitForURL(/\/console\/login\/code/);
  // The page names the number the way a text message does, never in full.
  await assert.doesNotReject(page.getByText("138****0002").waitFor());
  // The resend button waits the resend interval, counting down.
  assert.equal(await page.getByRole("button", { name: "重新发送" }).isDisabled(), true);

  // The development page lists the code, as does the service log.
  const dev = await context.newPage();
  await dev.goto(`${service.url}/console/dev/codes`);
  const code = await dev.locator('tr[data-phone="13800000002"] code').first().textContent();
  assert.match(code, /^\d{6}$/);
  assert.match(service.log(), new RegExp(`to=13800000002 code=${code}`));
  // Never to a request a proxy forwarded, whatever address it claims.
  const forwarded = await fetch(`${service.url}/console/dev/codes`, { headers: { "x-forwarded-for": "127.0.0.1" } });
  assert.equal(forwarded.status, 404);
  await dev.close();

  await page.getByLabel("验证码（6位数字）").fill(code);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await page.waitForURL(`${service.url}/console`);
  await assert.doesNotReject(page.getByRole("heading", { name: "您好，Demo agent" }).waitFor());
  await shot(page, "home-agent-zh-CN");

  // The session is an HttpOnly cookie scripts cannot read.
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === "bg_session");
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, "Lax");
  assert.equal(await page.evaluate(() => document.cookie.includes("bg_session")), false);

  // The code was single use: the same code on a new browser is refused.
  const other = await (await newBrowser(browser, "en")).newPage();
  await other.goto(`${service.url}/console/login/code?phone=13800000002`);
  await other.getByLabel("Code (6 digits)").fill(code);
  await other.getByRole("button", { name: "Log in", exact: true }).click();
  await assert.doesNotReject(other.getByRole("alert").getByText(/Wrong code: \d+ tries left/).waitFor());
  await other.context().close();

  await page.getByRole("button", { name: "退出登录" }).click();
  await page.waitForURL(/\/console\/login\?bye=1/);
  await assert.doesNotReject(page.getByText("您已退出登录。").waitFor());
  await page.goBack();
  await page.goto(`${service.url}/console`);
  await page.waitForURL(/\/console\/login/);
  await context.close();
});

test("the tenth wrong code locks the account until staff lift it", async () => {
  const phone = uniquePhone();
  const created = await service.api("POST", "/v1/people", service.ownerToken, {
    name: "Lock Test",
    phone,
    role: "agent",
    lots: ["demo"],
    locale: "en",
  });
  assert.equal(created.status, 201);
  const person = created.body;

  const context = await newBrowser(browser, "en-GB");
  const page = await context.newPage();
  await page.goto(`${service.url}/console/login`);
  await page.getByLabel("Phone number").fill(phone);
  await page.getByRole("button", { name: "Send code" }).click();
  await page.waitForURL(/\/console\/login\/code/);
  const right = await eventually(() => service.latestCode(phone), "the code");
  const wrong = right === "000000" ? "111111" : "000000";
  for (let tries = 1; tries <= 9; tries++) {
    await page.getByLabel("Code (6 digits)").fill(wrong);
    await page.getByRole("button", { name: "Log in", exact: true }).click();
    await assert.doesNotReject(
      page.getByRole("alert").getByText(`Wrong code: ${10 - tries} tries left before the account locks.`).waitFor(),
    );
  }
  await shot(page, "login-wrong-code-en");
  await page.getByLabel("Code (6 digits)").fill(wrong);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await page.waitForURL(/\/console\/login\/locked/);
  const lead = await page.locator("#locked").textContent();
  assert.match(lead, /Too many wrong codes: this account is locked until /);
  // The page says when, in the browser's own time (the script rewrote the UTC time).
  const until = await page.locator("#locked time").getAttribute("datetime");
  const hours = (Date.parse(until) - Date.now()) / 3600000;
  assert.ok(hours > 23.9 && hours <= 24, `locked for ${hours} h`);
  assert.doesNotMatch(lead, /UTC/);
  await shot(page, "login-locked-en");

  // Even the right code is refused now, and asking for another leads back here.
  await page.goto(`${service.url}/console/login/code?phone=${phone}`);
  await page.getByLabel("Code (6 digits)").fill(right);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await page.waitForURL(/\/console\/login\/locked/);
  await page.goto(`${service.url}/console/login`);
  await page.getByLabel("Phone number").fill(phone);
  await page.getByRole("button", { name: "Send code" }).click();
  await page.waitForURL(/\/console\/login\/locked/);

  // Staff lift it with a reason; the audit has every step.
  const lifted = await service.api("POST", `/v1/people/${person.id}/unlock`, service.ownerToken, {
    reason: "called the agent back on the number on record",
  });
  assert.equal(lifted.status, 200);
  const audit = await service.api("GET", "/v1/people/logins", service.ownerToken);
  const kinds = audit.body.filter((e) => e.person_id === person.id).map((e) => e.kind);
  assert.equal(kinds.filter((k) => k === "code_wrong").length, 10);
  assert.ok(kinds.includes("locked") && kinds.includes("lock_lifted"), kinds.join(","));

  await page.goto(`${service.url}/console/login`);
  await page.getByLabel("Phone number").fill(phone);
  await page.getByRole("button", { name: "Send code" }).click();
  await page.waitForURL(/\/console\/login\/code/);
  const fresh = await eventually(async () => {
    const c = await service.latestCode(phone);
    return c && c !== right ? c : undefined;
  }, "a new code");
  await page.getByLabel("Code (6 digits)").fill(fresh);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await page.waitForURL(`${service.url}/console`);
  await assert.doesNotReject(page.getByRole("heading", { name: "Hello, Lock Test" }).waitFor());
  await context.close();
});

test("an unknown number gets the same page, and nothing is sent", async () => {
  const context = await newBrowser(browser, "ko-KR");
  const page = await context.newPage();
  await page.goto(`${service.url}/console/login`);
  assert.equal(await page.getAttribute("html", "lang"), "ko-KR");
  await page.getByLabel("휴대폰 번호").fill("13999999999");
  await page.getByRole("button", { name: "인증번호 받기" }).click();
  await page.waitForURL(/\/console\/login\/code/);
  await assert.doesNotReject(page.getByText(/139\*+9999 번호에 계정이 있으면/).waitFor());
  assert.equal(await service.latestCode("13999999999"), undefined);
  await context.close();
});

test("the language picker changes the page and is remembered", async () => {
  const context = await newBrowser(browser, "zh-CN");
  const page = await context.newPage();
  await page.goto(`${service.url}/console/login`);
  await page.getByRole("link", { name: "한국어" }).click();
  await assert.doesNotReject(page.getByRole("heading", { name: "로그인" }).waitFor());
  await page.goto(`${service.url}/console/login`);
  assert.equal(await page.getAttribute("html", "lang"), "ko-KR");
  await context.close();
});

test("a form without its CSRF token or from another site changes nothing", async () => {
  const context = await newBrowser(browser, "en");
  const page = await context.newPage();
  await logIn(page, "13800000001");
  await page.waitForURL(`${service.url}/console`);
  // The same browser, its cookies sent, but no `_csrf`: refused.
  const forged = await page.request.post(`${service.url}/console/logout`, { form: { x: "1" } });
  assert.equal(forged.status(), 403);
  assert.match(await forged.text(), /此页面已过期|This page has expired/);
  // With the token but from another origin: refused too.
  const csrf = await page.getAttribute('meta[name="csrf"]', "content");
  const cross = await page.request.post(`${service.url}/console/logout`, {
    form: { _csrf: csrf },
    headers: { origin: "http://evil.example" },
  });
  assert.equal(cross.status(), 403);
  // Still logged in.
  await page.goto(`${service.url}/console/me`);
  await assert.doesNotReject(page.locator("#me-phone").getByText("13800000001").waitFor());
  // Words in a link's query are not put on the page: a notice must be
  // signed for this session, as the console's own redirects are.
  await page.goto(`${service.url}/console/me?done=${encodeURIComponent("Call the supervisor at 555")}&sig=0`);
  assert.equal(await page.getByText("Call the supervisor at 555").count(), 0);
  // The pages forbid framing and foreign scripts.
  const res = await page.request.get(`${service.url}/console/me`);
  assert.match(res.headers()["content-security-policy"], /frame-ancestors 'none'/);
  assert.equal(res.headers()["x-frame-options"], "DENY");
  await context.close();
});

test("a password works on a browser that had a code; a new browser still needs one", async () => {
  const phone = uniquePhone();
  const created = await service.api("POST", "/v1/people", service.ownerToken, {
    name: "Password Owner",
    phone,
    role: "owner",
    locale: "en",
  });
  assert.equal(created.status, 201);
  const known = await newBrowser(browser, "en");
  const page = await known.newPage();
  await logIn(page, phone);
  await page.waitForURL(`${service.url}/console`);

  await page.goto(`${service.url}/console/me`);
  await assert.doesNotReject(page.getByText("No password yet: you log in with codes.").waitFor());
  await page.getByLabel("New password (10 characters or more)").fill("short");
  await page.getByRole("button", { name: "Set password" }).click();
  // The error sits at the field it is about.
  await assert.doesNotReject(
    page.locator("#new_password[aria-invalid=true] + p.field-error").getByText(/a password has 10 to 200 characters/).waitFor(),
  );
  await page.getByLabel("New password (10 characters or more)").fill("correct horse battery");
  await page.getByRole("button", { name: "Set password" }).click();
  await assert.doesNotReject(page.getByRole("status").getByText("Your password is set.").waitFor());
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/bye=1/);

  // The same browser: the password alone (Enter in its field).
  await page.getByLabel("Phone number").fill(phone);
  await page.getByText("Log in with password").first().click();
  await page.getByLabel("Password (if you set one)").fill("wrong password!");
  await page.getByLabel("Password (if you set one)").press("Enter");
  await assert.doesNotReject(page.getByRole("alert").getByText("Wrong number or password. 9 tries left.").waitFor());
  await page.getByLabel("Password (if you set one)").fill("correct horse battery");
  await page.getByRole("button", { name: "Log in with password" }).click();
  await page.waitForURL(`${service.url}/console`);
  await assert.doesNotReject(page.getByRole("heading", { name: "Hello, Password Owner" }).waitFor());

  // A browser never seen: the right password leads to a code.
  const fresh = await (await newBrowser(browser, "en")).newPage();
  const before = await service.latestCode(phone);
  await fresh.goto(`${service.url}/console/login`);
  await fresh.getByLabel("Phone number").fill(phone);
  await fresh.getByText("Log in with password").first().click();
  await fresh.getByLabel("Password (if you set one)").fill("correct horse battery");
  await fresh.getByRole("button", { name: "Log in with password" }).click();
  await fresh.waitForURL(/\/console\/login\/code\?.*new_browser=1/);
  await assert.doesNotReject(
    fresh.getByText("This browser is new to us: even with the right password, it needs a code.").waitFor(),
  );
  const code = await eventually(async () => {
    const c = await service.latestCode(phone);
    return c && c !== before ? c : undefined;
  }, "the new browser's code");
  await fresh.getByLabel("Code (6 digits)").fill(code);
  await fresh.getByRole("button", { name: "Log in", exact: true }).click();
  await fresh.waitForURL(`${service.url}/console`);
  await fresh.context().close();
  await known.close();
});
