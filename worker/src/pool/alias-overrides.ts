/*
 * The admin API's changes to the configured model aliases, in the pool's SQLite: an alias set
 * to a model, or hidden (a configured alias the operator removed, kept as a null model so the
 * wrangler.toml entry stays hidden). Few rows, read whole.
 */

export type AliasOverrides = Record<string, string | null>;

export class AliasOverrideStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(
      "CREATE TABLE IF NOT EXISTS model_aliases (alias TEXT PRIMARY KEY, model TEXT, updated_at INTEGER NOT NULL)",
    );
  }

  all(): AliasOverrides {
    const out: AliasOverrides = {};
    for (const row of this.sql.exec<{ alias: string; model: string | null }>(
      "SELECT alias, model FROM model_aliases ORDER BY alias",
    ))
      out[row.alias] = row.model;
    return out;
  }

  /** Sets an alias (a model id) or hides it (null). */
  set(alias: string, model: string | null, now: number): void {
    this.sql.exec(
      "INSERT INTO model_aliases (alias, model, updated_at) VALUES (?, ?, ?) ON CONFLICT (alias) DO UPDATE SET model = excluded.model, updated_at = excluded.updated_at",
      alias,
      model,
      now,
    );
  }

  /** Forgets the override: the configured alias (if any) applies again. */
  reset(alias: string): void {
    this.sql.exec("DELETE FROM model_aliases WHERE alias = ?", alias);
  }
}
