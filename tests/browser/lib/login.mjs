// Logging in as a person would: the number, then the code the
// development sender shows on its page.
import { eventually } from "./service.mjs";

export async function logIn(service, page, phone) {
  await page.goto(`${service.url}/console/login`);
  await page.locator("#phone").fill(phone);
  const before = await service.latestCode(phone);
  await page.locator('button[value="code"]').click();
  await page.waitForURL(/\/console\/login\/code/);
  const code = await eventually(async () => {
    const c = await service.latestCode(phone);
    return c && c !== before ? c : undefined;
  }, `a code for ${phone}`);
  await page.locator("#code").fill(code);
  await page.locator('form[action="/console/login/code"] button[type="submit"]').click();
  await page.waitForURL(`${service.url}/console`);
}
