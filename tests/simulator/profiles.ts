// Simulated users: each user index maps to a stable profile (ids, device, geo, user properties),
// held as ready-to-splice JSON fragments so event generation stays a template string.
import { Rng, hash } from './random.js';
import { formatMicros } from './time-format.js';

export type PlatformKind = 'web' | 'ios' | 'android' | 'http';

export interface Profile {
  kind: PlatformKind;
  amplitudeId: number;
  deviceId: string;
  /** JSON fragments (already quoted, or `null`). */
  userId: string;
  adid: string;
  idfa: string;
  city: string;
  country: string;
  region: string;
  dma: string;
  carrier: string;
  family: string;
  deviceType: string;
  ip: string;
  language: string;
  library: string;
  lat: string;
  lng: string;
  osName: string;
  osVersion: string;
  paying: string;
  platform: string;
  sourceId: string;
  startVersion: string;
  versionName: string;
  userCreation: string;
  userProps: string;
  groups: string;
  groupProps: string;
}

interface Place { country: string; city: string; region: string; dma: string | null; lat: number; lng: number; language: string }

export const PLACES: readonly Place[] = [
  { country: 'United States', city: 'New York', region: 'New York', dma: 'New York, NY', lat: 40.7128, lng: -74.006, language: 'English' },
  { country: 'United States', city: 'San Francisco', region: 'California', dma: 'San Francisco-Oakland-San Jose, CA', lat: 37.7749, lng: -122.4194, language: 'English' },
  { country: 'Germany', city: 'Berlin', region: 'Land Berlin', dma: null, lat: 52.52, lng: 13.405, language: 'German' },
  { country: 'Netherlands', city: 'Amsterdam', region: 'North Holland', dma: null, lat: 52.3676, lng: 4.9041, language: 'Dutch' },
  { country: 'Brazil', city: 'São Paulo', region: 'São Paulo', dma: null, lat: -23.5505, lng: -46.6333, language: 'Portuguese' },
  { country: 'Japan', city: 'Tokyo', region: 'Tokyo', dma: null, lat: 35.6762, lng: 139.6503, language: 'Japanese' },
  { country: 'France', city: 'Paris', region: 'Île-de-France', dma: null, lat: 48.8566, lng: 2.3522, language: 'French' },
];

const WEB = [
  { os: 'Chrome', versions: ['124', '125', '126'], family: 'Mac', type: 'Apple Mac' },
  { os: 'Safari', versions: ['17.4', '17.5'], family: 'Mac', type: 'Apple Mac' },
  { os: 'Firefox', versions: ['126.0', '127.0'], family: 'Windows', type: 'Windows' },
  { os: 'Edge', versions: ['125'], family: 'Windows', type: 'Windows' },
];
const IOS_DEVICES = ['Apple iPhone 15 Pro', 'Apple iPhone 14', 'Apple iPhone 13 mini', 'Apple iPad Air'];
const ANDROID_DEVICES = ['Samsung Galaxy S23', 'Google Pixel 8', 'Xiaomi Redmi Note 12', 'OnePlus 11'];
const CARRIERS = ['Verizon', 'T-Mobile', 'Vodafone', 'KPN', 'Claro', 'NTT DOCOMO', 'Orange'];
// 'EMPTY' is what Amplitude records as the initial referrer of a direct visit.
const REFERRERS = ['https://www.google.com/', 'https://t.co/', 'https://news.ycombinator.com/', 'EMPTY'];
const UTM_SOURCES = ['google', 'newsletter', 'twitter', 'partner.example.com'];

const q = (s: string | null): string => (s === null ? 'null' : JSON.stringify(s));

export class ProfileBook {
  private readonly cache = new Map<number, Profile>();

  constructor(
    private readonly seed: number,
    readonly poolSize: number,
    private readonly dataStartMs: number,
  ) {}

  get(user: number): Profile {
    let p = this.cache.get(user);
    if (!p) {
      p = this.build(user);
      this.cache.set(user, p);
    }
    return p;
  }

  private build(user: number): Profile {
    const r = new Rng(hash(this.seed, 'user', user));
    const roll = r.float();
    const kind: PlatformKind = roll < 0.45 ? 'web' : roll < 0.65 ? 'ios' : roll < 0.85 ? 'android' : 'http';
    const place = r.pick(PLACES);
    const hasGeo = kind !== 'http' || r.chance(0.3);
    const amplitudeId = 1_600_000_000_000 + (hash(this.seed, 'amplitude_id', user) % 30_000_000_000);
    const deviceId = r.uuid();
    const named = kind === 'http' || r.chance(0.7);
    const userId = named
      ? r.chance(0.3)
        ? `user.${user}+test@example.com`
        : `user-${hash(this.seed, 'user_id', user).toString(36)}`
      : null;
    const creationRoll = r.float();
    // Quirk 5: user_creation_time is sometimes null and occasionally the empty string.
    const userCreation =
      kind === 'http' || creationRoll < 0.3
        ? 'null'
        : creationRoll < 0.35
          ? '""'
          : `"${formatMicros((this.dataStartMs - r.int(90 * 86_400) * 1000) * 1000)}"`;
    const mobile = kind === 'ios' || kind === 'android';
    const web = WEB[r.int(WEB.length)] as (typeof WEB)[number];
    const osName = kind === 'web' ? web.os : kind === 'ios' ? 'ios' : kind === 'android' ? 'android' : null;
    const osVersion =
      kind === 'web' ? r.pick(web.versions) : kind === 'ios' ? r.pick(['17.4.1', '17.5', '16.7.8']) : kind === 'android' ? r.pick(['13', '14']) : null;
    const deviceType = kind === 'web' ? web.type : kind === 'ios' ? r.pick(IOS_DEVICES) : kind === 'android' ? r.pick(ANDROID_DEVICES) : null;
    const family =
      kind === 'web' ? web.family : kind === 'ios' ? 'Apple iPhone' : kind === 'android' ? (deviceType ?? '').split(' ')[0] + ' Phone' : null;
    const library =
      kind === 'web' ? 'amplitude-ts/2.7.4' : kind === 'ios' ? 'amplitude-swift/1.4.1' : kind === 'android' ? 'amplitude-android-kotlin/1.16.3' : 'http/2.0';
    const version = mobile ? `3.${r.int(14)}.${r.int(5)}` : null;
    const startVersion = mobile ? `3.${r.int(3)}.0` : null;
    const located = mobile && r.chance(0.7);
    const jitter = (): number => Math.round((r.float() - 0.5) * 2000) / 10000;
    const plan = r.pick(['free', 'pro', 'team', 'enterprise']);
    // Property bags: keys with dots and keys differing only in case, as live records have.
    const userProps =
      kind === 'http' && r.chance(0.6)
        ? '{}'
        : JSON.stringify({
            City: place.city,
            city: place.city.toLowerCase(),
            plan,
            'signup.method': r.pick(['email', 'google', 'apple']),
            ...(r.chance(0.3) ? { initial_referrer: r.pick(REFERRERS), initial_utm_source: r.pick(UTM_SOURCES) } : {}),
            ...(r.chance(0.2) ? { cohorts: ['beta', 'power-users'] } : {}),
          });
    const company = r.chance(0.12) ? `acme-${r.int(40)}` : null;
    const groups = company ? `{"company_id":[${q(company)}]}` : '{}';
    const groupProps = company
      ? `{"company_id":{${q(company)}:{"name":${q(`Acme ${company.slice(5)}, Inc.`)},"seats":${5 + r.int(500)},"tier":${q(plan)}}}}`
      : '{}';
    const octet = (): number => 1 + r.int(254);
    const ip = hasGeo ? (r.chance(0.15) ? `2001:db8::${r.hex8().slice(0, 4)}` : `203.0.113.${octet()}`) : null;
    return {
      kind,
      amplitudeId,
      deviceId,
      userId: q(userId),
      adid: q(kind === 'android' && r.chance(0.4) ? r.uuid() : null),
      idfa: q(kind === 'ios' && r.chance(0.2) ? r.uuid().toUpperCase() : null),
      city: q(hasGeo ? place.city : null),
      country: q(hasGeo ? place.country : null),
      region: q(hasGeo ? place.region : null),
      dma: q(hasGeo ? place.dma : null),
      carrier: q(mobile ? r.pick(CARRIERS) : null),
      family: q(family),
      deviceType: q(deviceType),
      ip: q(ip),
      language: q(kind === 'http' ? null : place.language),
      library: q(library),
      lat: located ? String(Math.round((place.lat + jitter()) * 10000) / 10000) : 'null',
      lng: located ? String(Math.round((place.lng + jitter()) * 10000) / 10000) : 'null',
      osName: q(osName),
      osVersion: q(osVersion),
      paying: r.chance(0.2) ? 'true' : 'null',
      platform: q(kind === 'web' ? 'Web' : kind === 'ios' ? 'iOS' : kind === 'android' ? 'Android' : null),
      sourceId: kind === 'http' ? '""' : 'null',
      startVersion: q(startVersion),
      versionName: q(version),
      userCreation,
      userProps,
      groups,
      groupProps,
    };
  }
}
