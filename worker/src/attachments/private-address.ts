/*
 * Whether a URL's host names this machine or a private network, so that a client cannot make
 * the Worker fetch from behind it (SSRF). It looks at the host as written: `new URL` has already
 * turned IPv4 in other spellings (`0x7f.1`, `2130706433`) into dotted decimal and IPv6 into its
 * compressed form. A public name that resolves to a private address is not caught here; on
 * Cloudflare, fetch does not reach private addresses anyway.
 */

const LOCAL_SUFFIXES = [".localhost", ".local", ".internal", ".localdomain", ".home.arpa"];

/** Why the host is refused (for the 400), or null when it may be fetched. */
export function privateHostReason(hostname: string): string | null {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || LOCAL_SUFFIXES.some((s) => host.endsWith(s)))
    return `${host} is a local name`;
  if (host.startsWith("[") && host.endsWith("]")) {
    const groups = ipv6Groups(host.slice(1, -1));
    if (groups === null) return null;
    return privateIpv6(groups) ? `${host} is a loopback, private or link-local address` : null;
  }
  const v4 = ipv4Octets(host);
  if (v4 !== null && privateIpv4(v4)) return `${host} is a loopback, private or link-local address`;
  return null;
}

function ipv4Octets(host: string): number[] | null {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

function privateIpv4([a, b]: number[]): boolean {
  return (
    a === 0 || // "this network"
    a === 10 ||
    a === 127 ||
    (a === 100 && b! >= 64 && b! <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) ||
    (a === 172 && b! >= 16 && b! <= 31) ||
    (a === 192 && b === 168) ||
    a! >= 224 // multicast, reserved, broadcast
  );
}

/**
 * The eight 16-bit groups of an IPv6 address as `new URL` writes it (hex groups, at most one
 * `::`; an IPv4 tail such as `::ffff:127.0.0.1` has already become `::ffff:7f00:1`), or null.
 */
function ipv6Groups(address: string): number[] | null {
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const parse = (half: string) =>
    half === ""
      ? []
      : half.split(":").map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const known = head.length + rest.length;
  if ((halves.length === 1 && known !== 8) || known > 8) return null;
  const groups = [...head, ...Array<number>(8 - known).fill(0), ...rest];
  return groups.some(Number.isNaN) ? null : groups;
}

function privateIpv6(g: number[]): boolean {
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(7) && (g[7] === 0 || g[7] === 1)) return true; // :: and ::1
  if (zeroUpTo(5) && g[5] === 0xffff)
    // IPv4-mapped: judged as the IPv4 address it carries.
    return privateIpv4([g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff]);
  const first = g[0]!;
  return (
    (first & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (first & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (first & 0xff00) === 0xff00 // multicast
  );
}
