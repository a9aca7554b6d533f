// The loopback-only restart endpoint, tested with a real non-loopback client: a network namespace
// joined to this one by a veth pair made here (link-local addresses on that link only), and Kiln
// listening on all addresses.
// Slow (~25 s): a network namespace and a burn-in restarted from it.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSlowDisk, startTestSshd, type SlowDisk, type TestSshd } from "./helpers/testhost.js";
import { registerCleanup } from "./helpers/cleanup.js";
import { makeTempDir } from "./helpers/tempdir.js";
import { startTestKiln, type TestKiln } from "./helpers/kiln.js";
import { cancel, hostWithDrives, jobs, startOne, waitJob } from "./helpers/api.js";
import { rawRequest } from "./helpers/raw-http.js";

const NS = `kiln-test-ns-${process.pid}`;
const HOST_IF = `kv${process.pid % 100000}a`;
const NS_IF = `kv${process.pid % 100000}b`;
const SUBNET = `169.254.${(process.pid % 250) + 1}`;
const HOST_ADDR = `${SUBNET}.1`;
const NS_ADDR = `${SUBNET}.2`;

let kiln: TestKiln;
let sshd: TestSshd;
let disk: SlowDisk;
let removeNs = () => {};

const ip = (...args: string[]) => execFileSync("ip", args, { encoding: "utf8" });

/** POST from inside the namespace with node's fetch (async: Kiln runs in this process); returns the status. */
async function postFromNamespace(url: string, headers: Record<string, string> = {}): Promise<number> {
  const code = `fetch(${JSON.stringify(url)}, { method: "POST", headers: ${JSON.stringify(headers)} }).then(r => console.log(r.status), e => { console.error(e); process.exit(3); })`;
  const { stdout } = await promisify(execFile)("ip", ["netns", "exec", NS, process.execPath, "-e", code], { encoding: "utf8" });
  return Number(stdout.trim());
}

beforeAll(async () => {
  ip("netns", "add", NS);
  const teardown = () => {
    try { ip("link", "del", HOST_IF); } catch { /* gone with the namespace */ }
    try { ip("netns", "del", NS); } catch { /* already gone */ }
  };
  const unregister = registerCleanup(`netns ${NS}`, teardown);
  removeNs = () => {
    teardown();
    unregister();
  };
  ip("link", "add", HOST_IF, "type", "veth", "peer", "name", NS_IF);
  ip("link", "set", NS_IF, "netns", NS);
  ip("addr", "add", `${HOST_ADDR}/30`, "dev", HOST_IF);
  ip("link", "set", HOST_IF, "up");
  ip("netns", "exec", NS, "ip", "addr", "add", `${NS_ADDR}/30`, "dev", NS_IF);
  ip("netns", "exec", NS, "ip", "link", "set", NS_IF, "up");
  ip("netns", "exec", NS, "ip", "link", "set", "lo", "up");
  // The namespace reaches Kiln by this host's veth address: a name Kiln must be told it answers to.
  kiln = await startTestKiln({ KILN_BIND: "0.0.0.0", KILN_ALLOWED_HOSTS: HOST_ADDR });
  sshd = await startTestSshd({ authorizedKeys: [kiln.publicKey] });
  // Slow enough that the cancel below lands while badblocks still runs, even on a loaded machine.
  disk = createSlowDisk({ sizeMiB: 2, rateBytesPerSec: 384 * 1024 });
});

afterAll(async () => {
  await kiln?.stop();
  await sshd?.dispose();
  disk?.detach();
  removeNs();
});

describe("POST /api/v1/jobs/:id/restart without login", () => {
  it("is allowed from loopback only, and never with proxy headers", async () => {
    const port = new URL(kiln.url).port;
    const { drives: [d] } = await hostWithDrives(kiln, sshd, [disk], { name: "r", workDir: makeTempDir("work") });
    const passedId = await startOne(kiln, d!, { stages: ["surface_validate"] });
    expect((await waitJob(kiln, passedId)).status).toBe("passed");

    // A job to restart: cancel one once it runs.
    const cancelledId = await startOne(kiln, d!, { stages: ["surface_validate"] });
    await waitJob(kiln, cancelledId, (j) => (j.surface?.phase ?? 0) >= 1);
    await cancel(kiln, cancelledId);
    expect((await waitJob(kiln, cancelledId)).status).toBe("cancelled");

    const fromNs = `http://${HOST_ADDR}:${port}/api/v1/jobs/${cancelledId}/restart`;
    expect(await postFromNamespace(fromNs)).toBe(401);
    expect(await postFromNamespace(fromNs, { "X-Forwarded-For": "127.0.0.1" })).toBe(401);

    const local = (headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${port}/api/v1/jobs/${cancelledId}/restart`, { method: "POST", headers });
    const jobCount = async () => (await jobs(kiln)).length;
    const before = await jobCount();
    expect((await local({ "X-Forwarded-For": "127.0.0.1" })).status).toBe(401);
    // A web page open in a browser on this machine: a cross-site form post, another local page, and a
    // DNS-rebound name (foreign Host, sent with node:http since fetch will not set Host) are refused.
    expect((await local({ Origin: "http://evil.example", "Sec-Fetch-Site": "cross-site" })).status).toBe(403);
    expect((await local({ Origin: "http://localhost:5173" })).status).toBe(403);
    const rebound = await rawRequest(`http://127.0.0.1:${port}`, "POST", `/api/v1/jobs/${cancelledId}/restart`, { headers: { host: `rebind.evil.example:${port}` } });
    expect(rebound.status).toBe(421);
    expect(await jobCount()).toBe(before);
    const ok = await local();
    expect(ok.status).toBe(202);
    const newId = (await ok.json()).id;
    expect(newId).toBeGreaterThan(cancelledId);
    const restarted = await waitJob(kiln, newId);
    expect(restarted.status).toBe("passed");
    expect(restarted.restartOf).toBe(cancelledId);

    const again = await fetch(`http://127.0.0.1:${port}/api/v1/jobs/${passedId}/restart`, { method: "POST" });
    expect(again.status).toBe(409);
    expect((await again.json()).error).toMatch(/passed/);
  }, 300_000);
});
