import { SELF, createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { PLAIN_COOKIE, SECURE_COOKIE, signSession } from "../src/console/session.js";
import { ADMIN, BASE, TestHost, bindings, closeAllHosts } from "./helpers.js";
import {
  PLAIN,
  SECURITY_HEADERS,
  cookieOf,
  freshAddress,
  loginRequest,
  page,
  postForm,
  signIn,
} from "./console-helpers.js";

/*
 * The console's doors: signing in and out, the session cookie, what a signed-out request gets,
 * the Origin check on everything that changes state, and the headers on every response.
 */

afterEach(closeAllHosts);

const now = () => Math.floor(Date.now() / 1000);

describe("signing in", () => {
  it("shows the form, without a nav, to a signed-out visitor", async () => {
    const res = await page("/console/login", null);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('<form method="post" action="/console/login">');
    expect(text).toContain('name="token"');
    expect(text).not.toContain("Sign out");
  });

  it("answers a wrong token with the form again, 401 and no cookie, without echoing it", async () => {
    const guess = "not-the-admin-token-<b>";
    const res = await loginRequest(guess);
    expect(res.status).toBe(401);
    expect(res.headers.get("set-cookie")).toBeNull();
    const text = await res.text();
    expect(text).toContain("Wrong admin token");
    expect(text).not.toContain("not-the-admin-token");
    // A token that only starts like the right one is wrong too.
    expect((await loginRequest(`${ADMIN}x`)).status).toBe(401);
    expect((await loginRequest("")).status).toBe(401);
  });

  it("sets a __Host- cookie on https: HttpOnly, Secure, SameSite=Strict, Path=/, Max-Age", async () => {
    const res = await loginRequest(ADMIN);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/console");
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie.startsWith(`${SECURE_COOKIE}=`)).toBe(true);
    const attributes = cookie
      .split(";")
      .slice(1)
      .map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(
      expect.arrayContaining(["httponly", "secure", "samesite=strict", "path=/", "max-age=43200"]),
    );
    expect(attributes.some((a) => a.startsWith("domain"))).toBe(false);
    // The token is in neither the redirect nor the cookie.
    expect(res.headers.get("location")).not.toContain(ADMIN);
    expect(cookie).not.toContain(ADMIN);

    const overview = await page("/console/keys", cookieOf(res));
    expect(overview.status).toBe(200);
  });

  it("uses a cookie without Secure (and without the __Host- prefix) on plain http", async () => {
    const res = await loginRequest(ADMIN, { base: PLAIN });
    expect(res.status).toBe(303);
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie.startsWith(`${PLAIN_COOKIE}=`)).toBe(true);
    expect(cookie.toLowerCase()).not.toContain("secure");
    expect(cookie.toLowerCase()).toContain("httponly");
    expect(cookie.toLowerCase()).toContain("samesite=strict");
    const keys = await SELF.fetch(`${PLAIN}/console/keys`, {
      redirect: "manual",
      headers: { cookie: cookieOf(res) },
    });
    expect(keys.status).toBe(200);
  });

  it("sends a signed-in visitor of the login page on to the overview", async () => {
    const res = await page("/console/login", await signIn());
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/console");
  });

  it("signs out: the cookie is cleared", async () => {
    const cookie = await signIn();
    const res = await postForm("/console/logout", cookie, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/console/login");
    expect(res.headers.get("set-cookie")).toMatch(
      new RegExp(`^${SECURE_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict; Secure$`),
    );
  });

  it("limits sign-in attempts per client address (429 page), right token or not", async () => {
    const address = freshAddress();
    for (let i = 0; i < 10; i++)
      expect((await loginRequest("wrong", { address })).status).toBe(401);
    const limited = await loginRequest(ADMIN, { address });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(limited.headers.get("set-cookie")).toBeNull();
    expect(await limited.text()).toContain("Too many sign-in attempts");
    // Another address is not affected.
    expect((await loginRequest(ADMIN)).status).toBe(303);
  });

  it("refuses a login form posted from another site or without an Origin", async () => {
    for (const origin of ["https://evil.example", null]) {
      const res = await loginRequest(ADMIN, { origin });
      expect(res.status).toBe(403);
      expect(res.headers.get("set-cookie")).toBeNull();
      expect((await res.json<any>()).error.code).toBe("forbidden_origin");
    }
  });
});

describe("signed out", () => {
  it("sends every page to the login form with a 303", async () => {
    for (const path of [
      "/console",
      "/console/keys",
      "/console/usage",
      "/console/usage.csv",
      "/console/jobs",
      "/console/jobs/job_00000000000000000000000000000000",
      "/console/hosts/h1/signin",
      "/console/nowhere",
    ]) {
      const res = await page(path, null);
      expect(res.status, path).toBe(303);
      expect(res.headers.get("location"), path).toBe("/console/login");
    }
  });

  it("answers the script's API with 401 JSON (invalid_admin_token)", async () => {
    for (const path of [
      "/console/api/live",
      "/console/api/jobs/job_00000000000000000000000000000000/snapshot",
    ]) {
      const res = await page(path, null);
      expect(res.status, path).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(await res.json<any>()).toEqual({
        error: expect.objectContaining({
          code: "invalid_admin_token",
          type: "authentication_error",
        }),
      });
    }
  });

  it("treats an expired session as signed out", async () => {
    const expired = await signSession(ADMIN, { iat: now() - 7200, exp: now() - 60, sid: "old" });
    expect((await page("/console", `${SECURE_COOKIE}=${expired}`)).status).toBe(303);
    expect((await page("/console/api/live", `${SECURE_COOKIE}=${expired}`)).status).toBe(401);
  });

  it("treats a session older than CONSOLE_SESSION_HOURS as signed out, whatever its exp says", async () => {
    const long = await signSession(ADMIN, { iat: now() - 13 * 3600, exp: now() + 3600, sid: "x" });
    expect((await page("/console/keys", `${SECURE_COOKIE}=${long}`)).status).toBe(303);
  });

  it("treats a bad signature, another token's session or junk as signed out", async () => {
    const good = await signSession(ADMIN, { iat: now(), exp: now() + 3600, sid: "s" });
    expect((await page("/console/keys", `${SECURE_COOKIE}=${good}`)).status).toBe(200);
    const [payload, signature] = good.split(".") as [string, string];
    const flipped = `${payload}.${signature.startsWith("A") ? "B" : "A"}${signature.slice(1)}`;
    const tampered = `${btoa(JSON.stringify({ iat: now(), exp: now() + 999_999, sid: "s" })).replace(/=+$/, "")}.${signature}`;
    const otherToken = await signSession("another-token", {
      iat: now(),
      exp: now() + 3600,
      sid: "s",
    });
    for (const value of [flipped, tampered, otherToken, "junk", "", "a.b.c", `${payload}.`]) {
      const res = await page("/console/keys", `${SECURE_COOKIE}=${value}`);
      expect(res.status, value).toBe(303);
    }
    // The https cookie is not taken over plain http, nor the other way round.
    expect((await page("/console/keys", `${PLAIN_COOKIE}=${good}`)).status).toBe(303);
  });
});

describe("Origin on state-changing requests", () => {
  it("refuses a cross-origin POST to /console/keys: 403, no key created", async () => {
    const cookie = await signIn();
    const name = `csrf-${crypto.randomUUID()}`;
    const res = await postForm("/console/keys", cookie, { name }, "https://evil.example");
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json<any>()).toEqual({
      error: expect.objectContaining({ code: "forbidden_origin", type: "permission_error" }),
    });
    const list = await SELF.fetch(`${BASE}/admin/keys`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(await list.text()).not.toContain(name);
  });

  it("refuses a POST without an Origin, and one from the same host over another scheme", async () => {
    const cookie = await signIn();
    for (const origin of [null, PLAIN, "null"]) {
      const res = await postForm("/console/keys", cookie, { name: "no-origin" }, origin);
      expect(res.status, String(origin)).toBe(403);
      for (const [name, value] of Object.entries(SECURITY_HEADERS))
        expect(res.headers.get(name)).toBe(value);
    }
    for (const path of ["/console/keys/key_abc/limits", "/console/keys/key_abc/revoke"]) {
      const res = await postForm(path, cookie, { rpm: "5" }, null);
      expect(res.status, path).toBe(403);
    }
  });

  it("checks the Origin of the sign-in upgrade before the session, and the session before the pool", async () => {
    const cookie = await signIn();
    const host = await TestHost.connect();
    const upgrade = (headers: Record<string, string>) =>
      SELF.fetch(`${BASE}/console/api/hosts/${host.id}/signin?w=1280&h=800`, {
        headers: { upgrade: "websocket", ...headers },
      });
    const noSession = await upgrade({ origin: BASE });
    expect(noSession.status).toBe(401);
    expect(noSession.webSocket).toBeNull();
    expect((await noSession.json<any>()).error.code).toBe("invalid_admin_token");

    for (const origin of ["https://evil.example", undefined]) {
      const res = await upgrade({ cookie, ...(origin ? { origin } : {}) });
      expect(res.status).toBe(403);
      expect(res.webSocket).toBeNull();
      expect((await res.json<any>()).error.code).toBe("forbidden_origin");
    }

    const badSize = await SELF.fetch(`${BASE}/console/api/hosts/${host.id}/signin?w=100&h=800`, {
      headers: { upgrade: "websocket", cookie, origin: BASE },
    });
    expect(badSize.status).toBe(400);
    // None of them reached the pool: the host was never asked to open a sign-in.
    await host.expectNo("signin.start", 300);
  });
});

describe("headers", () => {
  it("puts the CSP and the other security headers on pages, redirects, errors and assets", async () => {
    const cookie = await signIn();
    const responses = [
      await page("/console/login", null),
      await page("/console", null),
      await page("/console/keys", cookie),
      await page("/console/nowhere", cookie),
      await page("/console/api/live", null),
      await loginRequest("wrong"),
      await page("/console/assets/console.js", null),
      await page("/console/assets/console.css", null),
    ];
    for (const res of responses) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS))
        expect(res.headers.get(name), `${res.url} ${name}`).toBe(value);
      await res.body?.cancel();
    }
  });

  it("serves the script and the stylesheet, and nothing else of the assets", async () => {
    const js = await page("/console/assets/console.js", null);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toMatch(/javascript/);
    expect(await js.text()).toContain("// @ts-check");
    const css = await page("/console/assets/console.css", null);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toMatch(/^text\/css/);
    expect((await page("/console/assets/tsconfig.json", null)).status).toBe(404);
    expect((await page("/console/assets/../tsconfig.json", null)).status).not.toBe(200);
    expect((await page("/console.js", null)).status).toBe(404);
  });

  it("has no inline script or style in its pages", async () => {
    const cookie = await signIn();
    for (const path of [
      "/console/login",
      "/console",
      "/console/keys",
      "/console/usage",
      "/console/jobs",
      "/console/hosts/h1/signin",
    ]) {
      const text = await (await page(path, path === "/console/login" ? null : cookie)).text();
      expect(text).toMatch(/<script type="module" src="\/console\/assets\/console\.js"><\/script>/);
      expect(text.match(/<script/g)?.length, path).toBe(1);
      expect(text).not.toMatch(/<style|style="|\son[a-z]+="/i);
    }
  });

  it("adds no CORS headers to the console, even with CORS_ORIGINS=*", async () => {
    const res = await page("/console/login", null, { headers: { origin: "https://evil.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await SELF.fetch(`${BASE}/console/keys`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    // The API still has them.
    const api = await SELF.fetch(`${BASE}/health`, { headers: { origin: "https://x.example" } });
    expect(api.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("without ADMIN_TOKEN", () => {
  it("says the console is disabled (503 page, 401 JSON for the API)", async () => {
    const app = createApp();
    const env = { ...bindings, ADMIN_TOKEN: undefined };
    const call = async (path: string, init: RequestInit = {}) => {
      const ctx = createExecutionContext();
      const res = await app.fetch(new Request(`${BASE}${path}`, init), env, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    const login = await call("/console/login");
    expect(login.status).toBe(503);
    expect(await login.text()).toContain("The operator console is disabled");
    const post = await call("/console/login", {
      method: "POST",
      headers: { origin: BASE, "content-type": "application/x-www-form-urlencoded" },
      body: "token=",
    });
    expect(post.status).toBe(503);
    expect(post.headers.get("set-cookie")).toBeNull();
    const api = await call("/console/api/live");
    expect(api.status).toBe(401);
    expect((await api.json<any>()).error.code).toBe("invalid_admin_token");
    // The stylesheet of the disabled page is still served.
    expect((await call("/console/assets/console.css")).status).toBe(200);
  });
});
