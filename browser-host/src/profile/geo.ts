/*
 * What a browser in a country looks like: a time zone, a locale and a position near its
 * capital, for the countries people run this from most. A profile's own values (recorded at
 * login) win; these fill in what a profile lacks.
 */

interface Geo {
  timezone: string;
  locale: string;
  latitude: number;
  longitude: number;
}

const BY_COUNTRY: Record<string, Geo> = {
  US: { timezone: "America/New_York", locale: "en-US", latitude: 38.9072, longitude: -77.0369 },
  GB: { timezone: "Europe/London", locale: "en-GB", latitude: 51.5074, longitude: -0.1278 },
  DE: { timezone: "Europe/Berlin", locale: "de-DE", latitude: 52.52, longitude: 13.405 },
  FR: { timezone: "Europe/Paris", locale: "fr-FR", latitude: 48.8566, longitude: 2.3522 },
  NL: { timezone: "Europe/Amsterdam", locale: "nl-NL", latitude: 52.3676, longitude: 4.9041 },
  JP: { timezone: "Asia/Tokyo", locale: "ja-JP", latitude: 35.6762, longitude: 139.6503 },
  SG: { timezone: "Asia/Singapore", locale: "en-SG", latitude: 1.3521, longitude: 103.8198 },
  HK: { timezone: "Asia/Hong_Kong", locale: "zh-HK", latitude: 22.3193, longitude: 114.1694 },
  TW: { timezone: "Asia/Taipei", locale: "zh-TW", latitude: 25.033, longitude: 121.5654 },
  KR: { timezone: "Asia/Seoul", locale: "ko-KR", latitude: 37.5665, longitude: 126.978 },
  IN: { timezone: "Asia/Kolkata", locale: "en-IN", latitude: 28.6139, longitude: 77.209 },
  CA: { timezone: "America/Toronto", locale: "en-CA", latitude: 45.4215, longitude: -75.6972 },
  AU: { timezone: "Australia/Sydney", locale: "en-AU", latitude: -33.8688, longitude: 151.2093 },
  BR: { timezone: "America/Sao_Paulo", locale: "pt-BR", latitude: -15.7939, longitude: -47.8828 },
  UA: { timezone: "Europe/Kyiv", locale: "uk-UA", latitude: 50.4501, longitude: 30.5234 },
};

export function geoFor(
  country: string | null,
  overrides: { timezone?: string | null; locale?: string | null } = {},
): Geo | null {
  const base = country ? BY_COUNTRY[country.toUpperCase()] : undefined;
  if (!base && !overrides.timezone) return null;
  const fallback = base ?? { timezone: "UTC", locale: "en-US", latitude: 0, longitude: 0 };
  return {
    ...fallback,
    timezone: overrides.timezone ?? fallback.timezone,
    locale: overrides.locale ?? fallback.locale,
  };
}

/** `en-US` → `en-US,en;q=0.9`, the Accept-Language a browser with that locale sends. */
export function acceptLanguage(locale: string): string {
  const lang = locale.split("-")[0]!;
  return lang === locale ? locale : `${locale},${lang};q=0.9`;
}
