import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { encodeBase64 } from "../src/base64.js";
import type { PoolSignInMessage } from "../src/pool/views.js";
import { BASE, TestHost, chat, closeAllHosts, until } from "./helpers.js";
import { page, postForm, signIn } from "./console-helpers.js";

/*
 * The console's pages and the script's API with pool data: the overview (and its live stream),
 * usage with its CSV, jobs with a failed job's snapshot, and the sign-in socket through the
 * Worker into the pool.
 */

afterEach(closeAllHosts);

async function consoleKey(cookie: string, name: string): Promise<{ id: string; key: string }> {
  const res = await postForm("/console/keys", cookie, { name });
  const text = await res.text();
  return {
    key: /sk-[0-9A-Za-z]{48}/.exec(text)![0],
    id: /<code>(key_[0-9A-Za-z]+)<\/code>/.exec(text)![1]!,
  };
}

async function html(path: string, cookie: string): Promise<string> {
  const res = await page(path, cookie);
  expect(res.status, path).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/html");
  return res.text();
}

describe("overview", () => {
  it("shows no hosts as an empty state, with the stats and both charts", async () => {
    const text = await html("/console", await signIn());
    expect(text).toContain("No hosts connected");
    expect(text).toContain('data-stat="queued"');
    expect(text).toContain('id="chart-requests"');
    expect(text).toContain('id="chart-ttft"');
    expect(text).toMatch(/aria-current="page"\s*>Overview/);
  });

  it("lists hosts and flags one signed out with a highlighted row and a banner", async () => {
    const cookie = await signIn();
    const host = await TestHost.connect({ id: "host-<expired>", lanes: 2 });
    host.send({
      type: "status",
      state: "auth_expired",
      lanes: 2,
      freeLanes: 0,
      detail: "redirected to accounts.google.com",
    });
    await until(
      async () => (await html("/console", cookie)).includes("auth_expired"),
      "the host's state on the overview",
    );
    const text = await html("/console", cookie);
    expect(text).toContain("host-&lt;expired&gt;");
    expect(text).not.toContain("host-<expired>");
    expect(text).toContain('class="attention"');
    expect(text).toMatch(
      /is signed out —\s*<a href="\/console\/hosts\/host-%3Cexpired%3E\/signin">/,
    );
    expect(text).toContain("redirected to accounts.google.com");
    expect(text).toContain("gemini-2.5-flash");
  });

  it("streams the pool's overview as text/event-stream", async () => {
    const res = await page("/console/api/live", await signIn());
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!/event: overview\ndata: .*\n\n/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    await reader.cancel();
    const data = JSON.parse(/event: overview\ndata: (.*)\n/.exec(text)![1]!);
    expect(data.lastHour).toHaveLength(60);
  });
});

describe("usage", () => {
  it("shows a key's usage per day with a chart, and the CSV quotes what needs quoting", async () => {
    const cookie = await signIn();
    const name = 'team "blue", east';
    const { id, key } = await consoleKey(cookie, name);
    const host = await TestHost.connect();
    const pending = chat(key, {});
    const job = await host.next("job");
    host.answer(job.jobId, "Hi", { promptTokens: 1234, completionTokens: 56, totalTokens: 1290 });
    expect((await pending).status).toBe(200);
    await until(
      async () => (await html(`/console/usage?key=${id}`, cookie)).includes("1,234"),
      "the job in the usage table",
    );
    const text = await html(`/console/usage?key=${id}`, cookie);
    expect(text).toContain("team &quot;blue&quot;, east");
    expect(text).toContain('class="chart"');
    expect(text).toMatch(/<option value="[^"]+" selected/);

    const today = new Date().toISOString().slice(0, 10);
    const csv = await page(`/console/usage.csv?key=${id}&from=${today}&to=${today}`, cookie);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toBe(
      `attachment; filename="usage-${today}-${today}.csv"`,
    );
    const lines = (await csv.text()).split("\r\n");
    expect(lines[0]).toMatch(/^day,key_id,key_name,/);
    expect(lines[1]).toBe(`${today},${id},"team ""blue"", east",1,0,1234,56,0,`);
  });

  it("defaults to the last 30 days and answers a bad range with a 400 page", async () => {
    const cookie = await signIn();
    const csv = await page("/console/usage.csv", cookie);
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
    expect(csv.headers.get("content-disposition")).toBe(
      `attachment; filename="usage-${from}-${to}.csv"`,
    );
    for (const query of [
      "from=yesterday",
      "from=2026-02-31",
      "from=2026-05-02&to=2026-05-01",
      "from=2020-01-01&to=2026-01-01",
    ]) {
      const res = await page(`/console/usage?${query}`, cookie);
      expect(res.status, query).toBe(400);
      expect(res.headers.get("content-type")).toContain("text/html");
      await res.body?.cancel();
      expect((await page(`/console/usage.csv?${query}`, cookie)).status, query).toBe(400);
    }
    expect(await html("/console/usage?from=2000-01-01&to=2000-01-02", cookie)).toContain(
      "No usage in this range",
    );
  });
});

describe("jobs and snapshots", () => {
  it("lists a failed job, links to it, and fetches its snapshot from the host through the API", async () => {
    const cookie = await signIn();
    const { key } = await consoleKey(cookie, "failing");
    const host = await TestHost.connect();
    const pending = chat(key, {});
    const job = await host.next("job");
    host.fail(job.jobId, "upstream_error", { retryable: false });
    await pending;
    await until(
      async () => (await html("/console/jobs?failed=1", cookie)).includes(job.jobId),
      "the failed job in the list",
    );
    const list = await html("/console/jobs?failed=1", cookie);
    const href = new RegExp(`href="(/console/jobs/${job.jobId})"`).exec(list)?.[1];
    expect(href).toBeDefined();
    expect(list).toContain("upstream_error");

    const detail = await html(href!, cookie);
    expect(detail).toContain(`data-wire-id="${job.jobId}"`);
    expect(detail).toContain(`data-host-id="${host.id}"`);

    const shot = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
    const answer = page(`/console/api/jobs/${job.jobId}/snapshot`, cookie);
    const request = await host.next("snapshot.request");
    expect(request.jobId).toBe(job.jobId);
    host.send({
      type: "snapshot.part",
      requestId: request.requestId,
      file: "screenshot.png",
      offset: 0,
      data: encodeBase64(shot),
    });
    host.send({ type: "snapshot.end", requestId: request.requestId, found: true, truncated: [] });
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const body = await res.json<any>();
    expect(body).toMatchObject({ found: true, hostId: host.id, jobId: job.jobId });
    expect(body.files).toEqual([
      expect.objectContaining({ name: "screenshot.png", base64: encodeBase64(shot) }),
    ]);
  });

  it("has empty states, refuses a malformed id and says when a job is unknown", async () => {
    const cookie = await signIn();
    expect(await html("/console/jobs?before=1", cookie)).toContain("No jobs yet");
    expect(await html("/console/jobs?before=1&failed=1", cookie)).toContain("No failed jobs");
    const unknown = await page("/console/jobs/job_0123456789abcdef0123456789abcdef", cookie);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("No job job_0123456789abcdef0123456789abcdef");
    const bad = await page("/console/api/jobs/not-a-job/snapshot", cookie);
    expect(bad.status).toBe(400);
    expect((await bad.json<any>()).error.code).toBe("invalid_request");
    const none = await page(
      "/console/api/jobs/job_0123456789abcdef0123456789abcdef/snapshot",
      cookie,
    );
    expect(await none.json<any>()).toMatchObject({ found: false });
  });
});

describe("remote sign-in", () => {
  it("renders a focusable canvas of the viewport, sized from the query within bounds", async () => {
    const cookie = await signIn();
    const normal = await html("/console/hosts/h%22one/signin", cookie);
    expect(normal).toMatch(/<canvas[^>]*tabindex="0"[^>]*width="1280"[^>]*height="800"/s);
    expect(normal).toContain('data-host-id="h&quot;one"');
    expect(normal).toContain('id="signin-stop"');
    const big = await html("/console/hosts/h1/signin?w=5000&h=100", cookie);
    expect(big).toMatch(/width="1920"\s+height="320"/);
  });

  it("hands the upgrade to the pool, which pairs it with the host", async () => {
    const cookie = await signIn();
    const host = await TestHost.connect();
    const res = await SELF.fetch(
      `${BASE}/console/api/hosts/${encodeURIComponent(host.id)}/signin?w=1024&h=768`,
      { headers: { upgrade: "websocket", cookie, origin: BASE } },
    );
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    const messages: PoolSignInMessage[] = [];
    ws.addEventListener("message", (e) => {
      messages.push(JSON.parse(String(e.data)));
    });
    ws.accept();
    const start = await host.next("signin.start");
    expect(start.viewport).toEqual({ width: 1024, height: 768 });
    host.send({
      type: "signin.frame",
      sessionId: start.sessionId,
      seq: 1,
      data: "/9j/AAAA",
      width: 1024,
      height: 768,
    });
    await until(() => messages.some((m) => m.type === "frame"), "a frame on the console socket");
    ws.send(JSON.stringify({ type: "stop" }));
    expect(await host.next("signin.stop")).toMatchObject({ sessionId: start.sessionId });
  });
});
