import { randomBytes, timingSafeEqual } from "node:crypto";
import { Server } from "proxy-chain";
import type { Browser } from "puppeteer-core";
import { answerProxyChallenges, type ProxyCredential } from "./proxy-auth.js";

/*
 * The browser's proxy. Chromium's --proxy-server takes no credentials (and cannot send any to a
 * SOCKS proxy), so a proxy with credentials is fronted by a forwarder on loopback (proxy-chain)
 * that adds them. Any local user could reach 127.0.0.1, so the forwarder is no open door onto
 * the paid upstream: it demands a credential made at random for this process, which only our
 * Chromium is given (it answers the forwarder's 407 through DevTools: proxy-auth.ts). The
 * credential is never logged and never put in a URL or a flag. Only the browser uses the proxy:
 * nothing else in the process reads PROXY_URL.
 */

export interface BrowserProxy {
  /** The value for Chromium's --proxy-server. */
  server: string;
  /** For logs: the upstream with any password removed. */
  display: string;
  /** Makes a browser answer the forwarder's challenge, in all its contexts (a no-op when there is no forwarder). */
  authorize(browser: Browser): Promise<void>;
  close(): Promise<void>;
}

export function redactProxy(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  if (u.username) u.username = u.username.length > 2 ? `${u.username.slice(0, 2)}***` : "***";
  return u.toString().replace(/\/$/, "");
}

export async function startBrowserProxy(proxyUrl: string): Promise<BrowserProxy> {
  const upstream = new URL(proxyUrl);
  if (!["http:", "https:", "socks:", "socks4:", "socks5:"].includes(upstream.protocol)) {
    throw new Error(
      `PROXY_URL must be http://, https:// or socks5:// (got ${upstream.protocol}//).`,
    );
  }
  const display = redactProxy(proxyUrl);
  if (!upstream.username && !upstream.password) {
    // Nothing to add: Chromium speaks to the upstream itself.
    const server = `${upstream.protocol}//${upstream.host}`;
    return { server, display, authorize: async () => undefined, close: async () => undefined };
  }
  const secret = { username: "browser", password: randomBytes(24).toString("base64url") };
  const forwarder = new Server({
    // Loopback only, on a port the OS picks.
    host: "127.0.0.1",
    port: 0,
    authRealm: "aistudio-edge browser proxy",
    prepareRequestFunction: ({ username, password }) =>
      same(username, secret.username) && same(password, secret.password)
        ? { upstreamProxyUrl: proxyUrl }
        : {
            requestAuthentication: true,
            failMsg: "This proxy serves only the browser host's own Chromium.",
          },
  });
  await forwarder.listen();
  const server = `http://127.0.0.1:${forwarder.port}`;
  const credential: ProxyCredential = { origin: server, ...secret };
  return {
    server,
    display,
    authorize: (browser) => answerProxyChallenges(browser, credential),
    close: async () => {
      await forwarder.close(true).catch(() => {
        // Already closed (a second close on shutdown): nothing is left to release.
      });
    },
  };
}

/** Constant-time, so the forwarder's answer time says nothing about how much of a guess was right. */
function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
