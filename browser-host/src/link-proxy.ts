import { HttpsProxyAgent } from "https-proxy-agent";
import type { Agent } from "node:http";

/*
 * The link to the Worker may have to leave through a corporate proxy, so it follows the usual
 * environment variables (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY) and honours NO_PROXY. Loopback is
 * never proxied: a proxy in the environment must not hijack a call to this machine (the
 * classic way these tools break). The browser's proxy is a separate setting (PROXY_URL).
 */

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[?::1\]?)$/i;

function env(vars: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = vars[name] ?? vars[name.toLowerCase()];
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
}

function bypassed(host: string, port: string, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  for (const raw of noProxy.split(/[,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    const [name, entryPort] = entry.startsWith("[")
      ? [entry, undefined]
      : (entry.split(":") as [string, string | undefined]);
    if (entryPort !== undefined && entryPort !== port) continue;
    const bare = name.replace(/^\*?\./, "");
    if (host === bare || host.endsWith(`.${bare}`)) return true;
  }
  return false;
}

/** The proxy the link should use for a URL, or null for a direct connection. */
export function proxyForUrl(target: string, vars: NodeJS.ProcessEnv = process.env): string | null {
  const url = new URL(target);
  const host = url.hostname.toLowerCase();
  if (LOOPBACK.test(host)) return null;
  const secure = url.protocol === "wss:" || url.protocol === "https:";
  const port = url.port || (secure ? "443" : "80");
  if (bypassed(host, port, env(vars, "NO_PROXY"))) return null;
  return (
    (secure ? env(vars, "HTTPS_PROXY", "ALL_PROXY") : env(vars, "HTTP_PROXY", "ALL_PROXY")) ?? null
  );
}

export function linkAgent(
  target: string,
  vars: NodeJS.ProcessEnv = process.env,
): Agent | undefined {
  const proxy = proxyForUrl(target, vars);
  return proxy ? new HttpsProxyAgent(proxy) : undefined;
}
