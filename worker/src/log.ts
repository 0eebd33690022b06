/**
 * JSON-line logging. Callers pass identifiers (request id, key id, job id, host id) and never
 * key material, cookies or tokens: nothing in this project logs a header value.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

function write(level: "debug" | "info" | "warn" | "error", msg: string, fields: LogFields): void {
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

export const log = {
  info: (msg: string, fields: LogFields = {}) => write("info", msg, fields),
  warn: (msg: string, fields: LogFields = {}) => write("warn", msg, fields),
  error: (msg: string, fields: LogFields = {}) => write("error", msg, fields),
};
