/*
 * Profile names, normalised so the same profile has one name however a person types it:
 * `2`, `2.json` and `as_2.json` (the Python tool's file names) all mean profile `2`.
 */

const ALLOWED = /^[A-Za-z0-9_-]{1,64}$/;

export class ProfileNameError extends Error {
  override readonly name = "ProfileNameError";
}

export function normalizeProfileName(input: string): string {
  let name = input.trim();
  name = name.replace(/^.*[\\/]/, ""); // a path: keep the file name
  name = name.replace(/\.meta\.json$/i, "").replace(/\.json$/i, "");
  if (/^as_/.test(name) && name.length > 3) name = name.slice(3);
  if (!ALLOWED.test(name)) {
    throw new ProfileNameError(
      `'${input}' is not a profile name: use 1 to 64 letters, digits, '_' or '-' (a '.json' ending and an 'as_' prefix are dropped, so '2', '2.json' and 'as_2.json' all mean profile '2').`,
    );
  }
  return name;
}
