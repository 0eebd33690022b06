import { anonymizeProxy, closeAnonymizedProxy } from "proxy-chain";

/*
 * The browser's proxy. Chromium's --proxy-server takes no credentials (and cannot send any to a
 * SOCKS proxy), and answering auth challenges through puppeteer pauses every request, so a
 * proxy with credentials is fronted by a forwarder on loopback (proxy-chain) that adds them.
 * Only the browser uses it: nothing else in the process reads PROXY_URL.
 */

export interface BrowserProxy {
  /** The value for Chromium's --proxy-server. */
  server: string;
  /** For logs: the upstream with any password removed. */
  display: string;
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
    throw new Error(`PROXY_URL must be http://, https:// or socks5:// (got ${upstream.protocol}//).`);
  }
  const display = redactProxy(proxyUrl);
  if (!upstream.username && upstream.protocol !== "https:") {
    const server = `${upstream.protocol}//${upstream.host}`;
    return { server, display, close: async () => undefined };
  }
  // The forwarder listens on 127.0.0.1 only, on a port the OS picks.
  const local = await anonymizeProxy({ url: proxyUrl, port: 0 });
  return {
    server: local.replace(/\/$/, ""),
    display,
    close: async () => {
      await closeAnonymizedProxy(local, true).catch(() => undefined);
    },
  };
}
