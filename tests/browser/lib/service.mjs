// A real boomgate service for the browser tests: the debug binary on its
// embedded SQLite, on a free loopback port, with the demo lot (and its
// people) ready. One service serves a whole test file.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { once } from "node:events";

const root = resolve(import.meta.dirname, "../../..");
const binary = process.env.BOOMGATE_BIN ?? join(root, "target/debug/boomgate");

/** Waits until `probe()` gives a value, or fails after `ms`. */
export async function eventually(probe, what, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts a service; `config` is more of its TOML configuration. */
export async function startService({ config = "" } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "boomgate-console-"));
  // Every test logs in from 127.0.0.1: the per-source flood guard would
  // stop the suite at 20 codes an hour.
  writeFileSync(join(dir, "boomgate.toml"), `login_codes_per_source_hour = 100000\n${config}`);
  const child = spawn(
    binary,
    ["serve", "--config", join(dir, "boomgate.toml"), "--db", `sqlite://${join(dir, "console.db")}`, "--listen", "127.0.0.1:0"],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_LOG: "info,sqlx=warn", NO_COLOR: "1" } },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const exited = once(child, "exit");
  const url = await eventually(
    () => {
      if (child.exitCode !== null) throw new Error(`boomgate exited: ${err}`);
      return err.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
    },
    "the service to listen",
    120000,
  );
  const token = (name) => out.match(new RegExp(`${name} token:\\s+(\\S+)`))?.[1];
  const service = {
    url,
    ownerToken: token("owner"),
    agentToken: token("agent"),
    entryRobotToken: token("entry robot"),
    exitRobotToken: token("exit robot"),
    paymentsToken: token("payments"),
    log: () => err,
    /** A call to the API, with a token. */
    async api(method, path, token, body) {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    /** A robot's plate event at its gate, `minutesAgo` in the past. */
    async event(token, eventId, plate, minutesAgo = 0) {
      const occurred_at = new Date(Date.now() - minutesAgo * 60000).toISOString();
      const body = { event_id: eventId, occurred_at };
      if (plate) body.plate = plate;
      return this.api("POST", "/v1/events", token, body);
    },
    /** The newest code the development sender sent to `phone`, from its page. */
    async latestCode(phone) {
      const res = await fetch(`${url}/console/dev/codes`);
      const html = await res.text();
      const row = html.match(new RegExp(`<tr data-phone="${phone}">.*?<code class="code">(\\d{6})</code>`));
      return row?.[1];
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return service;
}

let counter = 0;
/** A phone number no other test uses. */
export function uniquePhone() {
  counter += 1;
  return `1390${String(process.pid % 10000).padStart(4, "0")}${String(counter).padStart(3, "0")}`;
}
