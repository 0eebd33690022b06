import { html } from "hono/html";
import type { KeyUsageSummary } from "../accounting/records.js";
import type { KeyRecord } from "../keys/key-store.js";
import { NONE, count, utc, utcSeconds } from "./format.js";
import { layout, type Html } from "./layout.js";

/** The bounds /admin/keys takes for a key's limits. */
export const LIMITS = {
  rpm: { min: 1, max: 1_000_000 },
  concurrency: { min: 1, max: 10_000 },
} as const;

export interface KeysPageInput {
  keys: KeyRecord[];
  /** Per key id; null when the pool could not say. */
  usage: Map<string, KeyUsageSummary> | null;
  defaults: { rpm: number; concurrency: number };
  notice: string | null;
}

function keyRow(key: KeyRecord, usage: KeysPageInput["usage"]): Html {
  const used = usage?.get(key.id);
  const revoked = key.revoked !== null;
  const limitsForm = html`<form
    method="post"
    action="/console/keys/${encodeURIComponent(key.id)}/limits"
    class="inline"
  >
    <label
      >RPM
      <input
        name="rpm"
        type="number"
        min="${LIMITS.rpm.min}"
        max="${LIMITS.rpm.max}"
        value="${key.rpm}"
        required
    /></label>
    <label
      >Concurrency
      <input
        name="concurrency"
        type="number"
        min="${LIMITS.concurrency.min}"
        max="${LIMITS.concurrency.max}"
        value="${key.concurrency}"
        required
    /></label>
    <button type="submit" class="secondary">Save limits</button>
  </form>`;
  const revokeForm = html`<form
    method="post"
    action="/console/keys/${encodeURIComponent(key.id)}/revoke"
    class="inline"
    data-confirm="Revoke key ${key.name} (${key.hint})? Clients using it get 401 from their next request."
  >
    <button type="submit" class="danger">Revoke</button>
  </form>`;
  return html`<tr class="${revoked ? "revoked" : ""}">
    <td><code>${key.id}</code></td>
    <td>${key.name}</td>
    <td><code>${key.hint}</code></td>
    <td class="num">${count(key.rpm)}</td>
    <td class="num">${count(key.concurrency)}</td>
    <td><time>${utcSeconds(key.created)}</time></td>
    <td>${revoked ? html`<time>${utcSeconds(key.revoked)}</time>` : NONE}</td>
    <td>${used?.lastUsed ? html`<time>${utc(used.lastUsed)}</time>` : NONE}</td>
    <td class="num">${used ? count(used.requests30d) : NONE}</td>
    <td class="num">${used ? count(used.tokens30d) : NONE}</td>
    <td class="actions">${revoked ? "Revoked" : html`${limitsForm} ${revokeForm}`}</td>
  </tr>`;
}

export function keysPage(input: KeysPageInput): Html {
  return layout({
    title: "Keys",
    section: "keys",
    page: "keys",
    signedIn: true,
    body: html`<h1>API keys</h1>
      ${input.notice !== null ? html`<p class="notice ok" role="status">${input.notice}</p>` : ""}

      <section>
        <h2>Create a key</h2>
        <form method="post" action="/console/keys" class="create">
          <label>Name <input name="name" required maxlength="64" /></label>
          <label
            >Requests per minute
            <input
              name="rpm"
              type="number"
              min="${LIMITS.rpm.min}"
              max="${LIMITS.rpm.max}"
              placeholder="${input.defaults.rpm}"
          /></label>
          <label
            >Concurrent requests
            <input
              name="concurrency"
              type="number"
              min="${LIMITS.concurrency.min}"
              max="${LIMITS.concurrency.max}"
              placeholder="${input.defaults.concurrency}"
          /></label>
          <button type="submit">Create key</button>
        </form>
        <p class="hint">
          Empty limits take the defaults (${count(input.defaults.rpm)} per minute,
          ${count(input.defaults.concurrency)} at once). The key is shown once, right after it is
          created; only its hash is stored.
        </p>
      </section>

      <section>
        <h2>Keys</h2>
        ${
          input.usage === null
            ? html`<p class="notice warn" role="status">
                Usage is unavailable: the pool did not answer. Keys and limits below are current.
              </p>`
            : ""
        }
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>ID</th>
                <th>Name</th>
                <th>Hint</th>
                <th class="num">RPM</th>
                <th class="num">Concurrency</th>
                <th>Created (UTC)</th>
                <th>Revoked (UTC)</th>
                <th>Last use (UTC)</th>
                <th class="num">Requests (30 d)</th>
                <th class="num">Tokens (30 d)</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              ${
                input.keys.length === 0
                  ? html`<tr>
                      <td colspan="11" class="empty">No keys yet. Create one above.</td>
                    </tr>`
                  : input.keys.map((k) => keyRow(k, input.usage))
              }
            </tbody>
          </table>
        </div>
      </section>`,
  });
}

/** The one time a key is shown: right after its creation, in the answer to the form's POST. */
export function createdKeyPage(record: KeyRecord, key: string): Html {
  return layout({
    title: "Key created",
    section: "keys",
    page: "key-created",
    signedIn: true,
    body: html`<h1>Key created</h1>
      <p class="notice warn" role="alert">
        Copy the key now: it is not stored and will not be shown again.
      </p>
      <dl class="record">
        <dt>Name</dt>
        <dd>${record.name}</dd>
        <dt>ID</dt>
        <dd><code>${record.id}</code></dd>
        <dt>Limits</dt>
        <dd>${count(record.rpm)} requests per minute, ${count(record.concurrency)} concurrent</dd>
        <dt>Key</dt>
        <dd class="secret">
          <code id="new-key">${key}</code>
          <button type="button" data-copy="new-key">Copy</button>
          <span class="copy-status" aria-live="polite"></span>
        </dd>
      </dl>
      <p><a href="/console/keys">Back to keys</a></p>`,
  });
}
