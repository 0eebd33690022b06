/*
 * JSON-line logging with levels. Fields whose names suggest a secret are replaced before
 * writing, as a second line of defence: callers pass ids, never cookies or tokens.
 */

export type Level = "debug" | "info" | "warn" | "error";
export type Fields = Record<string, unknown>;

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET = /token|cookie|authorization|password|secret|apikey|api_key/i;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

export function createLogger(
  level: Level,
  base: Fields = {},
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Logger {
  const emit = (at: Level, msg: string, fields: Fields = {}) => {
    if (ORDER[at] < ORDER[level]) return;
    const out: Fields = { time: new Date().toISOString(), level: at, msg };
    for (const [k, v] of Object.entries({ ...base, ...fields }))
      out[k] = SECRET.test(k) ? "[redacted]" : v;
    write(JSON.stringify(out));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}
