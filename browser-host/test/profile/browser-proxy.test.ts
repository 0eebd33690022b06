import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import puppeteer, { type Browser } from "puppeteer-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CHROMIUM_ARGS, findChromium } from "../../src/chromium.js";
import { startBrowserProxy, type BrowserProxy } from "../../src/profile/browser-proxy.js";
import { TestProxy } from "./test-proxy.js";

/*
 * The loopback forwarder in front of a proxy with credentials: no open door for other local
 * users (a client without this process's credential gets 407), while the host's own Chromium,
 * which answers the challenge through DevTools, goes through to the upstream as before.
 */

let site: Server;
let sitePort = 0;
let upstream: TestProxy;
let forwarder: BrowserProxy;

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** One request through the forwarder, as any local program could send it. */
function viaForwarder(
  method: "GET" | "CONNECT",
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  const { hostname, port } = new URL(forwarder.server);
  const path =
    method === "CONNECT" ? `127.0.0.1:${sitePort}` : `http://127.0.0.1:${sitePort}/secret`;
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers });
    req.on("response", (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on("connect", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  site = createServer((req, res) => {
    if (new URL(req.url ?? "/", "http://site").pathname === "/") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(
        `<img src="/pixel.png"><script>fetch("/api").then((r) => r.text()).then((t) => (document.title = t))</script>`,
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`answer ${req.url}`);
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", () => resolve()));
  sitePort = (site.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => site.close(resolve));
});
beforeEach(async () => {
  upstream = await TestProxy.start();
  forwarder = await startBrowserProxy(upstream.url);
});
afterEach(async () => {
  await forwarder.close();
  await upstream.close();
});

describe("the browser's proxy forwarder", () => {
  it("listens on loopback and carries no credential in its address", () => {
    expect(forwarder.server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(forwarder.display).not.toContain(upstream.password);
  });

  it("answers 407 to a client without its credential, and forwards nothing", async () => {
    const res = await viaForwarder("GET");
    expect(res.status).toBe(407);
    expect(res.headers["proxy-authenticate"]).toMatch(/^Basic realm=/);
    expect((await viaForwarder("CONNECT")).status).toBe(407);
    expect(upstream.seen).toEqual([]);
  });

  it("answers 407 to a wrong credential, the upstream's own included", async () => {
    for (const auth of [
      basic("browser", "guess"),
      basic("", ""),
      basic(upstream.user, upstream.password),
    ]) {
      expect((await viaForwarder("GET", { "proxy-authorization": auth })).status).toBe(407);
      expect((await viaForwarder("CONNECT", { "proxy-authorization": auth })).status).toBe(407);
    }
    expect(upstream.seen).toEqual([]);
  });

  it("stays out of the way for a proxy without credentials", async () => {
    const direct = await startBrowserProxy("http://127.0.0.1:3128");
    expect(direct.server).toBe("http://127.0.0.1:3128");
    await direct.close();
  });
});

describe("Chromium through the forwarder", () => {
  let browser: Browser | null = null;
  const launch = async () => {
    const chromium = await findChromium(process.env.CHROME_PATH);
    browser = await puppeteer.launch({
      executablePath: chromium.path,
      headless: true,
      args: [
        ...CHROMIUM_ARGS,
        `--proxy-server=${forwarder.server}`,
        "--proxy-bypass-list=<-loopback>",
      ],
    });
    return browser;
  };
  afterEach(async () => {
    await browser?.close();
    browser = null;
  });

  it("is refused until it is given the credential", async () => {
    const page = await (await launch()).newPage();
    const outcome = await page.goto(`http://127.0.0.1:${sitePort}/`).then(
      (res) => `HTTP ${res?.status() ?? "none"}`,
      (err: Error) => err.message,
    );
    expect(outcome).toMatch(/407|ERR_INVALID_AUTH_CREDENTIALS|ERR_PROXY_AUTH/);
    expect(upstream.seen).toEqual([]);
  });

  it("answers the challenge in every context, and all its requests reach the upstream with the upstream's credentials", async () => {
    const b = await launch();
    await forwarder.authorize(b);
    await forwarder.authorize(b); // a second call (another lane) changes nothing
    for (const round of [1, 2]) {
      const context = await b.createBrowserContext();
      const page = await context.newPage();
      const res = await page.goto(`http://127.0.0.1:${sitePort}/?round=${round}`);
      expect(res?.status()).toBe(200);
      await page.waitForFunction(() => document.title === "answer /api", { timeout: 30_000 });
      await context.close();
    }
    const toSite = upstream.seen.filter((s) =>
      s.target.startsWith(`http://127.0.0.1:${sitePort}/`),
    );
    for (const path of ["/?round=1", "/?round=2", "/pixel.png", "/api"])
      expect(toSite.map((s) => s.target.slice(`http://127.0.0.1:${sitePort}`.length))).toContain(
        path,
      );
    expect(toSite.every((s) => s.auth === basic(upstream.user, upstream.password))).toBe(true);
  });
});
