import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";

/*
 * A login profile is a storage state: cookies plus each origin's localStorage, in the format
 * Playwright writes and the Python AIstudioProxyAPI saves as auth_profiles/saved/as_N.json, so
 * those files import unchanged. Unknown fields are kept (passthrough), so nothing a newer
 * writer adds is lost on the way back.
 */

export const CookieSchema = z
  .object({
    name: z.string(),
    value: z.string(),
    domain: z.string(),
    path: z.string().default("/"),
    expires: z.number().default(-1),
    httpOnly: z.boolean().default(false),
    secure: z.boolean().default(false),
    sameSite: z.enum(["Strict", "Lax", "None"]).optional(),
  })
  .loose();
export type StoredCookie = z.infer<typeof CookieSchema>;

export const StorageStateSchema = z
  .object({
    cookies: z.array(CookieSchema),
    origins: z
      .array(
        z
          .object({
            origin: z.string(),
            localStorage: z.array(z.object({ name: z.string(), value: z.string() })),
          })
          .loose(),
      )
      .default([]),
  })
  .loose();
export type StorageState = z.infer<typeof StorageStateSchema>;

/** What the machine looked like from outside when the login was made (the sidecar `<name>.meta.json`). */
export const ProfileMetaSchema = z.object({
  egressIp: z.string().nullable(),
  country: z.string().nullable(),
  timezone: z.string().nullable(),
  locale: z.string().nullable(),
  userAgent: z.string().nullable(),
  created: z.string(),
  /** `npm run auth -- login`, `npm run auth -- import`, or a sign-in from the edge's console. */
  source: z.enum(["login", "import", "remote-signin"]),
});
export type ProfileMeta = z.infer<typeof ProfileMetaSchema>;

export class ProfileFileError extends Error {
  override readonly name = "ProfileFileError";
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The file is not there at all (as opposed to there but unreadable or not what it should be). */
  get missing(): boolean {
    return (this.cause as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
  }
}

export async function readJsonFile<T>(
  path: string,
  schema: z.ZodType<T>,
  what: string,
): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new ProfileFileError(
      `Cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      path,
      { cause: err },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ProfileFileError(`${path} is not JSON, so it is not a ${what}.`, path, {
      cause: err,
    });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProfileFileError(
      `${path} is not a ${what}: ${issue?.path.join(".") || "(top)"} ${issue?.message ?? ""}`.trim(),
      path,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/**
 * A file that may be absent (a profile's sidecar): absent is null, but one that is there and
 * cannot be read or is not valid is an error naming it. Treating a corrupt sidecar as absent
 * would silently skip the checks it exists for (the egress country).
 */
export async function readOptionalJsonFile<T>(
  path: string,
  schema: z.ZodType<T>,
  what: string,
): Promise<T | null> {
  try {
    return await readJsonFile(path, schema, what);
  } catch (err) {
    if (err instanceof ProfileFileError && err.missing) return null;
    throw err;
  }
}

/**
 * Writes a file so that a crash at any moment leaves either the old content or the new, never a
 * mix: the data goes to a temporary file beside it, which is then renamed over the target.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temp, content, { mode: 0o600 });
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}
