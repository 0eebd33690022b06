import { copyFile, mkdir, readdir, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { normalizeProfileName } from "./profile-name.js";
import {
  ProfileMetaSchema,
  StorageStateSchema,
  readJsonFile,
  readOptionalJsonFile,
  writeFileAtomic,
  type ProfileMeta,
  type StorageState,
} from "./storage-state.js";

/*
 * The profiles folder, laid out as the Python tool lays it out so a person who knows one knows
 * the other: `saved/<name>.json` (+ `<name>.meta.json`) for every profile, `active/<name>.json`
 * for the one the host uses. Every write is atomic.
 */

export interface ProfileSummary {
  name: string;
  path: string;
  active: boolean;
  modified: Date;
  meta: ProfileMeta | null;
}

export class ProfileStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  savedPath(name: string): string {
    return join(this.root, "saved", `${normalizeProfileName(name)}.json`);
  }

  metaPath(name: string): string {
    return join(this.root, "saved", `${normalizeProfileName(name)}.meta.json`);
  }

  activePath(name: string): string {
    return join(this.root, "active", `${normalizeProfileName(name)}.json`);
  }

  async save(name: string, state: StorageState, meta: ProfileMeta | null): Promise<string> {
    const path = this.savedPath(name);
    await writeFileAtomic(path, JSON.stringify(state, null, 2));
    if (meta) await writeFileAtomic(this.metaPath(name), JSON.stringify(meta, null, 2));
    // An active copy is kept in step, so the host never runs on a stale one.
    if ((await this.activeName()) === normalizeProfileName(name))
      await writeFileAtomic(this.activePath(name), JSON.stringify(state, null, 2));
    return path;
  }

  async load(name: string): Promise<{ state: StorageState; meta: ProfileMeta | null }> {
    const state = await readJsonFile(
      this.savedPath(name),
      StorageStateSchema,
      "storage-state profile",
    );
    const meta = await readOptionalJsonFile(
      this.metaPath(name),
      ProfileMetaSchema,
      "profile sidecar",
    );
    return { state, meta };
  }

  async exists(name: string): Promise<boolean> {
    return stat(this.savedPath(name)).then(
      () => true,
      () => false,
    );
  }

  /** The active profile's name, or null. */
  async activeName(): Promise<string | null> {
    const files = (await filesIn(join(this.root, "active"))).filter((f) => f.endsWith(".json"));
    return files.length > 0 ? normalizeProfileName(files.sort()[0]!) : null;
  }

  /** Makes a saved profile the active one (the only file in active/). */
  async activate(name: string): Promise<string> {
    const source = this.savedPath(name);
    await stat(source).catch((err: unknown) => {
      throw new Error(
        `There is no saved profile '${normalizeProfileName(name)}' (${source}). See: npm run auth -- list`,
        { cause: err },
      );
    });
    const dir = join(this.root, "active");
    await mkdir(dir, { recursive: true });
    for (const file of await readdir(dir)) await rm(join(dir, file), { force: true });
    const target = this.activePath(name);
    await copyFile(source, target);
    return target;
  }

  async list(): Promise<ProfileSummary[]> {
    const active = await this.activeName();
    const files = (await filesIn(join(this.root, "saved"))).filter(
      (f) => f.endsWith(".json") && !f.endsWith(".meta.json"),
    );
    const out: ProfileSummary[] = [];
    for (const file of files.sort()) {
      const name = normalizeProfileName(file);
      const path = join(this.root, "saved", file);
      out.push({
        name,
        path,
        active: name === active,
        modified: (await stat(path)).mtime,
        meta: await readOptionalJsonFile(this.metaPath(name), ProfileMetaSchema, "profile sidecar"),
      });
    }
    return out;
  }
}

/** A folder's entries; a folder not made yet has none, but one that cannot be read is an error (not "no profile"). */
async function filesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new Error(
      `Cannot read the profiles folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { cause: err },
    );
  }
}
