import { describe, expect, it } from "vitest";
import { proxyForUrl } from "../../src/link-proxy.js";

describe("the pool link's proxy", () => {
  const env = { HTTPS_PROXY: "http://corp:3128", HTTP_PROXY: "http://plain:3128" };

  it("uses the environment's proxy for the Worker", () => {
    expect(proxyForUrl("wss://edge.example.workers.dev/hosts/connect", env)).toBe(
      "http://corp:3128",
    );
    expect(proxyForUrl("ws://edge.internal/hosts/connect", env)).toBe("http://plain:3128");
    expect(proxyForUrl("wss://edge.example/hosts/connect", { https_proxy: "http://lower:1" })).toBe(
      "http://lower:1",
    );
    expect(proxyForUrl("wss://edge.example/hosts/connect", { ALL_PROXY: "socks5://all:1" })).toBe(
      "socks5://all:1",
    );
  });

  it("honours NO_PROXY: names, domains, ports and *", () => {
    expect(
      proxyForUrl("wss://edge.example.workers.dev/x", { ...env, NO_PROXY: "workers.dev" }),
    ).toBeNull();
    expect(
      proxyForUrl("wss://edge.example.workers.dev/x", { ...env, NO_PROXY: ".example.workers.dev" }),
    ).toBeNull();
    expect(
      proxyForUrl("wss://edge.example.workers.dev/x", {
        ...env,
        no_proxy: "other.dev, edge.example.workers.dev:443",
      }),
    ).toBeNull();
    expect(
      proxyForUrl("wss://edge.example.workers.dev/x", {
        ...env,
        NO_PROXY: "edge.example.workers.dev:8443",
      }),
    ).toBe("http://corp:3128");
    expect(proxyForUrl("wss://edge.example.workers.dev/x", { ...env, NO_PROXY: "*" })).toBeNull();
    expect(proxyForUrl("wss://notexample.dev/x", { ...env, NO_PROXY: "example.dev" })).toBe(
      "http://corp:3128",
    );
  });

  it("never proxies loopback, whatever the environment says", () => {
    expect(proxyForUrl("ws://127.0.0.1:8787/hosts/connect", env)).toBeNull();
    expect(proxyForUrl("ws://localhost:8787/hosts/connect", env)).toBeNull();
    expect(proxyForUrl("ws://[::1]:8787/hosts/connect", env)).toBeNull();
  });

  it("goes direct without proxy variables", () => {
    expect(proxyForUrl("wss://edge.example/hosts/connect", {})).toBeNull();
  });
});
