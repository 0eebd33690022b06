import { Hono } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../app-types.js";
import { configOf } from "../env.js";
import { retryAfter } from "../errors.js";
import { secretsEqual } from "../keys/key-material.js";
import { readForm } from "./forms.js";
import { adminTokenOf, sessionOf } from "./guards.js";
import { layout, messagePage, type Html } from "./layout.js";
import { loginLimiter } from "./login-limiter.js";
import { clearedSessionCookie, newClaims, sessionCookie, signSession } from "./session.js";

function loginPage(error: string | null): Html {
  return layout({
    title: "Sign in",
    section: null,
    page: "login",
    signedIn: false,
    body: html`<section class="login">
      <h1>Sign in to the console</h1>
      ${error !== null ? html`<p class="notice error" role="alert">${error}</p>` : ""}
      <form method="post" action="/console/login">
        <label for="token">Admin token</label>
        <input
          id="token"
          name="token"
          type="password"
          required
          autocomplete="current-password"
          autofocus
        />
        <p class="hint">The Worker's ADMIN_TOKEN secret. It is sent once, in this form's body.</p>
        <button type="submit">Sign in</button>
      </form>
    </section>`,
  });
}

/**
 * Signing in and out. The token travels only in the login form's body; what the browser keeps
 * is a signed session cookie (session.ts). Attempts are limited per client address.
 */
export const login = new Hono<AppEnv>()
  .get("/login", async (c) => {
    if ((await sessionOf(c)) !== null) return c.redirect("/console", 303);
    return c.html(loginPage(null));
  })
  .post("/login", async (c) => {
    const address = c.req.header("cf-connecting-ip") ?? "unknown";
    const waitMs = loginLimiter.attempt(address);
    if (waitMs > 0) {
      return c.html(
        messagePage({
          title: "Too many attempts",
          message: `Too many sign-in attempts from this address. Try again in ${Math.ceil(waitMs / 1000)} s.`,
          signedIn: false,
          link: { href: "/console/login", label: "Back to sign-in" },
        }),
        429,
        retryAfter(waitMs),
      );
    }
    const form = await readForm(c);
    const expected = adminTokenOf(c) ?? "";
    const given = form.get("token") ?? "";
    if (given === "" || !(await secretsEqual(given, expected)))
      return c.html(loginPage("Wrong admin token."), 401);

    const hours = configOf(c.env).CONSOLE_SESSION_HOURS;
    const value = await signSession(expected, newClaims(hours));
    c.header("set-cookie", sessionCookie(new URL(c.req.url), value, hours * 3600));
    return c.redirect("/console", 303);
  })
  .post("/logout", (c) => {
    c.header("set-cookie", clearedSessionCookie(new URL(c.req.url)));
    return c.redirect("/console/login", 303);
  });
