import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/*
 * The console's pages are built only with `html`, which escapes every interpolated string;
 * a fragment made by `html` is inserted as it is. Nothing here concatenates client data into
 * markup. No inline script or style anywhere: the CSP allows only the two files under
 * /console/assets/.
 */

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export type Section = "overview" | "keys" | "usage" | "jobs";

const SECTIONS: Array<{ id: Section; label: string; href: string }> = [
  { id: "overview", label: "Overview", href: "/console" },
  { id: "keys", label: "Keys", href: "/console/keys" },
  { id: "usage", label: "Usage", href: "/console/usage" },
  { id: "jobs", label: "Jobs", href: "/console/jobs" },
];

export interface PageOptions {
  title: string;
  /** Which nav entry is current; null on pages outside the nav (sign-in, errors). */
  section: Section | null;
  /** `data-page` on <body>: tells the script which page it is on. */
  page: string;
  /** Whether to show the nav (false on the login page and when the console is disabled). */
  signedIn: boolean;
  body: Html;
}

export function layout(options: PageOptions): Html {
  const nav = options.signedIn
    ? html`<nav aria-label="Console">
        <ul>
          ${SECTIONS.map(
            (s) =>
              html`<li>
                <a href="${s.href}" ${s.id === options.section ? html`aria-current="page"` : ""}
                  >${s.label}</a
                >
              </li>`,
          )}
          <li>
            <form method="post" action="/console/logout" class="signout">
              <button type="submit" class="link">Sign out</button>
            </form>
          </li>
        </ul>
      </nav>`
    : "";
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · aistudio-edge console</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/console/assets/console.css" />
        <script type="module" src="/console/assets/console.js"></script>
      </head>
      <body data-page="${options.page}">
        <header class="top">
          <a class="brand" href="/console">aistudio-edge <span>console</span></a>
          ${nav}
        </header>
        <main>${options.body}</main>
      </body>
    </html>`;
}

/** A page that only says something (an error, the console being disabled, too many attempts). */
export function messagePage(options: {
  title: string;
  message: string;
  signedIn: boolean;
  link?: { href: string; label: string };
}): Html {
  return layout({
    title: options.title,
    section: null,
    page: "message",
    signedIn: options.signedIn,
    body: html`<h1>${options.title}</h1>
      <p class="notice error" role="alert">${options.message}</p>
      ${options.link ? html`<p><a href="${options.link.href}">${options.link.label}</a></p>` : ""}`,
  });
}
