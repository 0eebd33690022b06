import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { ROOT } from "./wrangler.js";

/*
 * `npm run keys -- create <name> [--rpm N] [--concurrency N]`, `list`, `revoke <id>`.
 * Talks to the admin API of a running Worker (default: the local dev server). The admin token
 * comes from --admin-token, $ADMIN_TOKEN, or the ADMIN_TOKEN line of .dev.vars, and is never
 * printed.
 */

const USAGE = `Usage: npm run keys -- <command> [options]

Commands:
  create <name> [--rpm N] [--concurrency N]   make a key; it is shown once, store it now
  list                                        keys with their limits (never the keys themselves)
  revoke <id>                                 revoke a key (takes effect within seconds)

Options:
  --url URL            the Worker (default $EDGE_URL or http://127.0.0.1:8787)
  --admin-token TOKEN  default $ADMIN_TOKEN, else ADMIN_TOKEN in .dev.vars
  --json               print the API's JSON instead of text`;

const KeySchema = z.object({
  id: z.string(),
  name: z.string(),
  hint: z.string(),
  rpm: z.number(),
  concurrency: z.number(),
  created: z.number(),
  revoked: z.number().nullable(),
});

class UsageError extends Error {}

function adminTokenFromDevVars(): string | undefined {
  try {
    const text = readFileSync(join(ROOT, ".dev.vars"), "utf8");
    return /^ADMIN_TOKEN\s*=\s*"?([^"\n]+)"?\s*$/m.exec(text)?.[1];
  } catch {
    return undefined;
  }
}

async function call(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(new URL(path, url), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw new Error(
      `Cannot reach ${url} (${(err as Error).message}). Is the Worker running (npm run dev), or is --url wrong?`,
      { cause: err },
    );
  }
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const message =
      (json as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${res.status}`;
    throw new Error(`${method} ${path} failed: ${message}`);
  }
  return json;
}

const date = (seconds: number) =>
  new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 19);

export async function main(
  argv: string[],
  print: (line: string) => void = console.log,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: "string" },
      "admin-token": { type: "string" },
      rpm: { type: "string" },
      concurrency: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, arg] = positionals;
  if (values.help || command === undefined) {
    print(USAGE);
    return;
  }
  const url = values.url ?? process.env.EDGE_URL ?? "http://127.0.0.1:8787";
  const token = values["admin-token"] ?? process.env.ADMIN_TOKEN ?? adminTokenFromDevVars();
  if (token === undefined || token === "") {
    throw new UsageError(
      "No admin token: pass --admin-token, set ADMIN_TOKEN, or put ADMIN_TOKEN=… in .dev.vars.",
    );
  }
  const int = (name: "rpm" | "concurrency") => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(`--${name} takes a whole number ≥ 1, not '${raw}'.`);
    return n;
  };

  switch (command) {
    case "create": {
      if (arg === undefined)
        throw new UsageError("create needs a name: npm run keys -- create <name>");
      const created = KeySchema.extend({ key: z.string() }).parse(
        await call(url, token, "POST", "/admin/keys", {
          name: arg,
          rpm: int("rpm"),
          concurrency: int("concurrency"),
        }),
      );
      if (values.json) return print(JSON.stringify(created));
      print(
        `Created key ${created.id} (${created.name}): ${created.rpm} requests/min, ${created.concurrency} at once.`,
      );
      print(`  ${created.key}`);
      print("This is the only time the key is shown: store it now.");
      return;
    }
    case "list": {
      const list = z
        .object({ data: z.array(KeySchema) })
        .parse(await call(url, token, "GET", "/admin/keys")).data;
      if (values.json) return print(JSON.stringify(list));
      if (list.length === 0) return print("No keys yet: npm run keys -- create <name>");
      for (const k of list) {
        const state = k.revoked === null ? "active" : `revoked ${date(k.revoked)}`;
        print(
          `${k.id}  ${k.hint}  ${k.name}  ${k.rpm}/min  ${k.concurrency} at once  created ${date(k.created)}  ${state}`,
        );
      }
      return;
    }
    case "revoke": {
      if (arg === undefined)
        throw new UsageError("revoke needs a key id (see npm run keys -- list)");
      const revoked = KeySchema.parse(
        await call(url, token, "DELETE", `/admin/keys/${encodeURIComponent(arg)}`),
      );
      if (values.json) return print(JSON.stringify(revoked));
      print(`Revoked ${revoked.id} (${revoked.name}).`);
      return;
    }
    default:
      throw new UsageError(`Unknown command '${command}'.\n\n${USAGE}`);
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  main(process.argv.slice(2)).catch((err: Error) => {
    console.error(err.message);
    process.exit(err instanceof UsageError ? 2 : 1);
  });
}
