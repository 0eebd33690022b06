import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";

/*
 * Stored Responses-API answers, one Durable Object per API key (`idFromName(keyId)`), so a key
 * can only ever read, continue or delete its own. Each record is one JSON text (the response
 * and the conversation it ends: text and file descriptors, never file bytes) with the time it
 * expires. Expired records are never answered (a read checks the time) and are deleted by an
 * alarm set for the earliest expiry, so storage does not grow with keys that stop calling.
 * SQLite keeps at most 2 MB in a row, so the text is kept in pieces well under that.
 */

/** Characters per piece: at most 3 bytes each in UTF-8, so a piece stays under 2 MB. */
const PIECE_CHARS = 512 * 1024;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS responses (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, pieces INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS responses_expiry ON responses (expires_at)`,
  `CREATE TABLE IF NOT EXISTS response_pieces (id TEXT NOT NULL, piece INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (id, piece))`,
];

export class ResponseStore extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    for (const statement of SCHEMA) ctx.storage.sql.exec(statement);
  }

  /** Keeps a record until `expiresAt` (ms since the epoch), replacing one with the same id. */
  async put(id: string, json: string, expiresAt: number): Promise<void> {
    const sql = this.ctx.storage.sql;
    const pieces = Math.max(1, Math.ceil(json.length / PIECE_CHARS));
    // One synchronous stretch: the runtime commits it as one transaction.
    this.remove(id);
    sql.exec(
      `INSERT INTO responses (id, expires_at, pieces) VALUES (?, ?, ?)`,
      id,
      expiresAt,
      pieces,
    );
    for (let i = 0; i < pieces; i++)
      sql.exec(
        `INSERT INTO response_pieces (id, piece, data) VALUES (?, ?, ?)`,
        id,
        i,
        json.slice(i * PIECE_CHARS, (i + 1) * PIECE_CHARS),
      );
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > expiresAt) await this.ctx.storage.setAlarm(expiresAt);
  }

  /** The record's JSON, or null when there is none or it has expired. */
  async get(id: string): Promise<string | null> {
    const sql = this.ctx.storage.sql;
    const row = sql
      .exec<{ expires_at: number }>(`SELECT expires_at FROM responses WHERE id = ?`, id)
      .toArray()[0];
    if (row === undefined) return null;
    if (row.expires_at <= Date.now()) {
      this.remove(id);
      return null;
    }
    return sql
      .exec<{ data: string }>(`SELECT data FROM response_pieces WHERE id = ? ORDER BY piece`, id)
      .toArray()
      .map((r) => r.data)
      .join("");
  }

  /** Deletes a record; false when there was none (an expired one counts as none). */
  async delete(id: string): Promise<boolean> {
    const found = (await this.get(id)) !== null;
    if (found) this.remove(id);
    return found;
  }

  /** Deletes what has expired and wakes again for the next expiry, if anything is left. */
  override async alarm(): Promise<void> {
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    const expired = sql
      .exec<{ id: string }>(`SELECT id FROM responses WHERE expires_at <= ?`, now)
      .toArray();
    for (const { id } of expired) this.remove(id);
    const next = sql
      .exec<{ at: number | null }>(`SELECT MIN(expires_at) AS at FROM responses`)
      .toArray()[0]?.at;
    if (next !== null && next !== undefined) await this.ctx.storage.setAlarm(next);
  }

  /** How many records are kept, expired ones not yet pruned included (for tests and the log). */
  async count(): Promise<number> {
    return (
      this.ctx.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM responses`).toArray()[0]
        ?.n ?? 0
    );
  }

  private remove(id: string): void {
    const sql = this.ctx.storage.sql;
    sql.exec(`DELETE FROM response_pieces WHERE id = ?`, id);
    sql.exec(`DELETE FROM responses WHERE id = ?`, id);
  }
}
