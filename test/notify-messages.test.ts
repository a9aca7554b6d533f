// The pure parts of notifications: the message builders and the retry schedule.
import { describe, expect, it } from "vitest";
import {
  attentionMessage, batchEndedMessage, escapeHtml, formatDuration, jobEndedMessage, testMessage, type JobFacts,
} from "../src/notify/messages.js";
import { backoffMs } from "../src/notify/backoff.js";
import { reportUrlOf } from "../src/notify/facts.js";
import { messageIdOf } from "../src/notify/index.js";

const failed: JobFacts = {
  jobId: 42,
  status: "failed",
  host: "nas1 (10.0.0.5)",
  drive: { model: "WDC WD40EFRX", serial: "WD-123<x>", devPath: "/dev/sdb", sizeBytes: 4_000_787_030_016 },
  startedAt: "2024-05-01T10:00:00.000Z",
  finishedAt: "2024-05-02T12:30:15.000Z",
  errorText: "surface_validate: 3 bad blocks",
  badBlockCount: 3,
  badBlocks: [768, 769, 770],
  smartChanges: [{ name: "Reallocated_Sector_Ct (5)", before: 0, after: 8, worse: true, critical: true }],
  reportUrl: reportUrlOf("http://kiln.lan:8080/", 42),
};

const passed: JobFacts = {
  ...failed, jobId: 43, status: "passed", errorText: null, badBlockCount: 0, badBlocks: [], smartChanges: [],
  drive: { model: "ST8000", serial: "ZA1", devPath: "/dev/sdc", sizeBytes: 8_000_000_000_000 },
  startedAt: "2024-05-01T10:00:00.000Z", finishedAt: "2024-05-01T10:45:30.000Z", reportUrl: reportUrlOf("http://kiln.lan:8080", 43),
};

describe("the job-ended message", () => {
  it("names the verdict, drive and host in the subject", () => {
    expect(jobEndedMessage(failed).subject).toBe("[Kiln] FAILED: WDC WD40EFRX WD-123<x> on nas1 (10.0.0.5)");
    expect(jobEndedMessage(passed).subject).toBe("[Kiln] PASSED: ST8000 ZA1 on nas1 (10.0.0.5)");
  });

  it("carries drive, host, verdict, bad blocks, duration, error, SMART changes and the report link in the text", () => {
    const { text } = jobEndedMessage(failed);
    expect(text).toContain("Verdict: FAILED");
    expect(text).toContain("Drive: WDC WD40EFRX (serial WD-123<x>, /dev/sdb)");
    expect(text).toContain("Capacity: 4.0 TB");
    expect(text).toContain("Host: nas1 (10.0.0.5)");
    expect(text).toContain("Bad blocks: 3: 768, 769, 770");
    expect(text).toContain("Duration: 26 h 30 min");
    expect(text).toContain("Error: surface_validate: 3 bad blocks");
    expect(text).toContain("SMART changes: Reallocated_Sector_Ct (5): 0 → 8 (critical)");
    expect(text).toContain("Report: http://kiln.lan:8080/api/v1/jobs/42/report?format=html");
  });

  it("says what a clean pass has: no bad blocks, no SMART changes, no error line", () => {
    const { text } = jobEndedMessage(passed);
    expect(text).toContain("Bad blocks: 0");
    expect(text).toContain("SMART changes: none");
    expect(text).toContain("Duration: 45 min 30 s");
    expect(text).not.toContain("Error:");
  });

  it("escapes what it puts in HTML and links the report", () => {
    const { html } = jobEndedMessage(failed);
    expect(html).toContain("WD-123&lt;x&gt;");
    expect(html).not.toContain("WD-123<x>");
    expect(html).toContain('<a href="http://kiln.lan:8080/api/v1/jobs/42/report?format=html">');
  });

  it("lists at most 50 bad blocks and says how many there are", () => {
    const many = { ...failed, badBlockCount: 120, badBlocks: Array.from({ length: 120 }, (_, i) => i) };
    const { text } = jobEndedMessage(many);
    expect(text).toContain("Bad blocks: 120: 0, 1,");
    expect(text).toContain("49, … (120 in all)");
    expect(text).not.toContain(" 50,");
  });

  it("says a job that never started never started", () => {
    expect(jobEndedMessage({ ...passed, status: "cancelled", startedAt: null }).text).toContain("Duration: never started");
  });
});

describe("the batch-ended message", () => {
  it("sums up the verdicts and has one table row per drive", () => {
    const m = batchEndedMessage({ batchId: "b-1", jobs: [failed, passed] });
    expect(m.subject).toBe("[Kiln] Batch of 2 drives ended: 1 failed, 1 passed");
    expect(m.text).toContain("42 | FAILED | WDC WD40EFRX (serial WD-123<x>, /dev/sdb) | nas1 (10.0.0.5) | 3 | 26 h 30 min | surface_validate: 3 bad blocks");
    expect(m.text).toContain("43 | PASSED | ST8000 (serial ZA1, /dev/sdc) | nas1 (10.0.0.5) | 0 | 45 min 30 s | ");
    expect(m.html.match(/<tr>/g)).toHaveLength(3);
    expect(m.html).toContain('<a href="http://kiln.lan:8080/api/v1/jobs/43/report?format=html">43</a>');
  });
});

describe("attention and test messages", () => {
  it("says what needs attention and where", () => {
    const m = attentionMessage({ reason: "host-unreachable", host: "nas1", detail: "unreachable since 10:00 (15 min)" });
    expect(m.subject).toBe("[Kiln] Attention: host unreachable on nas1");
    expect(m.text).toContain("What: unreachable since 10:00 (15 min)");
    const t = attentionMessage({ reason: "temperature-pause", host: "nas1", jobId: 7, drive: passed.drive, detail: "58 °C" });
    expect(t.text).toContain("Job: 7");
    expect(t.text).toContain("Drive: ST8000");
  });

  it("dates the test e-mail", () => {
    const m = testMessage("2024-05-01T10:00:00.000Z", "http://kiln.lan:8080");
    expect(m.text).toContain("sent at 2024-05-01T10:00:00.000Z");
    expect(m.html).toContain('href="http://kiln.lan:8080"');
  });
});

describe("small formats", () => {
  it("formats durations at a useful grain", () => {
    expect(formatDuration(4_400)).toBe("4 s");
    expect(formatDuration(61_000)).toBe("1 min 01 s");
    expect(formatDuration(3 * 86_400_000 + 3_600_000)).toBe("3 d 1 h");
    expect(formatDuration(-1)).toBe("unknown");
  });
  it("escapes the five HTML specials", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
  it("derives a stable Message-ID from the dedupe key", () => {
    const m = { id: 9, dedupeKey: "job-ended:42", recipients: [], subject: "", text: "", html: "" };
    expect(messageIdOf(m)).toBe("<job-ended-42.9@kiln>");
    expect(messageIdOf(m)).toBe(messageIdOf({ ...m }));
  });
});

describe("the retry schedule", () => {
  const policy = { baseMs: 15_000, capMs: 300_000 };
  it("doubles from the base after each failed attempt", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, policy))).toEqual([15_000, 30_000, 60_000, 120_000, 240_000]);
  });
  it("never waits longer than the cap, however many attempts failed", () => {
    expect(backoffMs(6, policy)).toBe(300_000);
    expect(backoffMs(1000, policy)).toBe(300_000);
  });
  it("treats a zero or odd attempt count as the first", () => {
    expect(backoffMs(0, policy)).toBe(15_000);
    expect(backoffMs(1.7, policy)).toBe(15_000);
  });
  it("scales with a small test base", () => {
    expect([1, 2, 3].map((n) => backoffMs(n, { baseMs: 100, capMs: 250 }))).toEqual([100, 200, 250]);
  });
});
