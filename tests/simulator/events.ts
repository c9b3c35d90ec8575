// Raw export events: which events an upload hour holds, how they split into archive members, and
// each event's JSON line (55 keys, alphabetical, compact — the live export's form).
import zlib from 'node:zlib';
import { BLANK_TOKEN, forgeLine } from './crc-forge.js';
import { ProfileBook, type Profile } from './profiles.js';
import { Rng, hash } from './random.js';
import { HOUR_MS, formatMicros } from './time-format.js';

/** The 55 keys of a live export event, in the order they are written (export-hour.jsonl). */
export const EVENT_KEYS = [
  '$insert_id', '$insert_key', '$schema', 'adid', 'amplitude_attribution_ids', 'amplitude_event_type',
  'amplitude_id', 'app', 'city', 'client_event_time', 'client_upload_time', 'country', 'data', 'data_type',
  'device_brand', 'device_carrier', 'device_family', 'device_id', 'device_manufacturer', 'device_model',
  'device_type', 'dma', 'event_id', 'event_properties', 'event_time', 'event_type', 'global_user_properties',
  'group_properties', 'groups', 'idfa', 'ip_address', 'is_attribution_event', 'language', 'library',
  'location_lat', 'location_lng', 'os_name', 'os_version', 'partner_id', 'paying', 'plan', 'platform',
  'processed_time', 'region', 'sample_rate', 'server_received_time', 'server_upload_time', 'session_id',
  'source_id', 'start_version', 'user_creation_time', 'user_id', 'user_properties', 'uuid', 'version_name',
] as const;

/** Members up to this many events may get a forged CRC (it costs a second generation pass). */
const FORGE_MAX_EVENTS = 5000;

/** No generated line is longer than this (bounded pools; asserted by the tests); lets size limits be decided cheaply. */
export const MAX_LINE_BYTES = 2600;

export interface EventTypeInfo {
  name: string;
  /** Relative frequency among SDK events. */
  weight: number;
  /** Hidden in the project: served by the export but left out of /api/2/events/list. */
  hidden: boolean;
}

export const EVENT_TYPES: readonly EventTypeInfo[] = [
  { name: 'Page Viewed', weight: 30, hidden: false },
  { name: 'Button Clicked', weight: 15, hidden: false },
  { name: 'Search', weight: 10, hidden: false },
  { name: 'Add to Cart', weight: 8, hidden: false },
  { name: 'Purchase Completed', weight: 3, hidden: false },
  { name: 'Sign Up', weight: 2, hidden: false },
  { name: 'Video Played', weight: 6, hidden: false },
  { name: 'session_start', weight: 8, hidden: false },
  { name: 'Share "Post", Externally', weight: 2, hidden: false },
  { name: '[Amplitude] Page Viewed', weight: 6, hidden: false },
  { name: 'Debug Ping', weight: 2, hidden: true },
  { name: 'test_event', weight: 0, hidden: false },
];
const SDK_TYPES = EVENT_TYPES.filter((t) => t.weight > 0);
const SDK_WEIGHT = SDK_TYPES.reduce((sum, t) => sum + t.weight, 0);
const HTTP_TYPES = ['test_event', 'Purchase Completed', 'Sign Up'];

const PAGES = [
  ['/', 'Home'], ['/pricing', 'Pricing'], ['/docs/getting-started', 'Getting started'], ['/blog/2026/launch', 'We launched!'],
  ['/cart', 'Your cart'], ['/account/settings', 'Settings'],
] as const;
const QUERIES = ['running shoes', 'gift card', 'ünïcödé search', 'size:42 "waterproof"', 'tent, 2 person'];
const PRODUCTS = ['Trail Runner 2', 'Gift Card €50', 'Ultralight Tent', 'Merino Socks (3-pack)', 'Headlamp 400lm'];

export interface EventSourceOptions {
  seed: number;
  appId: number;
  eventsPerHour: number;
  maxMembersPerHour: number;
  dataStartMs: number;
  dataEndMs: number;
}

interface HourShape {
  seed: number;
  count: number;
  members: number;
}

const q = (s: string | null): string => (s === null ? 'null' : JSON.stringify(s));
const TYPE_JSON = new Map(EVENT_TYPES.map((t) => [t.name, JSON.stringify(t.name)]));

export class EventSource {
  private readonly profiles: ProfileBook;
  private readonly dataStartHour: number;

  constructor(readonly o: EventSourceOptions) {
    this.dataStartHour = Math.floor(o.dataStartMs / HOUR_MS);
    this.profiles = new ProfileBook(o.seed, Math.min(20_000, Math.max(40, Math.round(o.eventsPerHour * 4))), o.dataStartMs);
  }

  /** The events uploaded in the hour, as event indexes grouped by archive member (#0, #1, ...). */
  members(hour: number): number[][] {
    const shape = this.shape(hour);
    const startUs = hour * HOUR_MS * 1000;
    const fromUs = this.o.dataStartMs * 1000;
    const toUs = this.o.dataEndMs * 1000;
    const whole = startUs >= fromUs && startUs + HOUR_MS * 1000 <= toUs;
    const kept: number[] = [];
    for (let i = 0; i < shape.count; i++) {
      if (whole) kept.push(i);
      else {
        const at = startUs + uploadOffsetUs(shape.seed, i);
        if (at >= fromUs && at < toUs) kept.push(i);
      }
    }
    const members = Math.min(shape.members, kept.length);
    const out: number[][] = [];
    for (let m = 0; m < members; m++) {
      out.push(kept.slice(Math.floor((m * kept.length) / members), Math.floor(((m + 1) * kept.length) / members)));
    }
    return out;
  }

  /** Every line uploaded in the hours [firstHour, lastHour], in serving order. */
  *lines(firstHour: number, lastHour: number): Generator<string> {
    for (let hour = firstHour; hour <= lastHour; hour++) {
      for (const [m, member] of this.members(hour).entries()) yield* this.memberLines(hour, m, member);
    }
  }

  /**
   * Whether member #m of the hour has a forged CRC: the first member of about one hour in four, so
   * that any day of data holds a few members whose gzip trailer starts with PK\x07\x08 (crc-forge.ts).
   */
  forged(hour: number, m: number, member: number[]): boolean {
    return m === 0 && member.length > 0 && member.length <= FORGE_MAX_EVENTS && hash(this.o.seed, 'forge', hour - this.dataStartHour) % 4 === 0;
  }

  /** A member's lines in order. In a forged member the last event's `$insert_key` carries the CRC-fixing token. */
  *memberLines(hour: number, m: number, member: number[]): Generator<string> {
    if (!this.forged(hour, m, member)) {
      for (const i of member) yield this.line(hour, i);
      return;
    }
    let crc = 0;
    const last = member.length - 1;
    for (let k = 0; k < last; k++) crc = zlib.crc32(this.line(hour, member[k] as number), crc);
    for (let k = 0; k < last; k++) yield this.line(hour, member[k] as number);
    const line = this.line(hour, member[last] as number).replace(/^(\{"\$insert_id":"[^"]*","\$insert_key":)(null|"[^"]*")/, `$1"${BLANK_TOKEN}"`);
    yield forgeLine(line, crc);
  }

  /** One event as its export JSON line, newline included. */
  line(hour: number, i: number): string {
    const shape = this.shape(hour);
    const r = new Rng(hash(shape.seed, i));
    let uploadUs = hour * HOUR_MS * 1000 + r.int(3_600_000_000);
    // Most live timestamps have millisecond resolution (".345000"); some carry real microseconds.
    const micro = r.chance(0.2);
    if (!micro) uploadUs -= uploadUs % 1000;
    const p = this.profiles.get(Math.floor(this.profiles.poolSize * r.float() * r.float()));
    const http = p.kind === 'http';
    const receivedUs = uploadUs - (micro ? r.int(40_000) : r.int(40) * 1000);
    const clientUploadUs = http ? receivedUs : receivedUs - r.int(1500) * 1000;
    // A few events are uploaded late (offline devices): event time hours or days before upload.
    const lagUs = r.chance(0.03) ? r.int(72 * 3600) * 1_000_000 : r.int(120_000) * 1000;
    const eventUs = clientUploadUs - lagUs;
    const processedUs = uploadUs + (500 + r.int(9500)) * 1000 + (micro ? r.int(1000) : 0);
    const type = http ? (r.pick(HTTP_TYPES) as string) : pickType(r);
    const sessionId = http || r.chance(0.05) ? -1 : Math.floor(eventUs / 1000) - r.int(1_200_000);
    const eventId = http ? r.int(1_000_000_000) : 1 + r.int(5000);
    const uuid = uniqueId(r, hour, i);
    const insertId = uniqueId(r, hour, i);
    const insertKey = r.chance(0.02) ? `"${r.hex8()}${r.hex8()}${r.hex8()}${r.hex8()}"` : 'null';
    const schema = r.chance(0.05) ? String(1 + r.int(3)) : 'null';
    const data = `{"path":${http ? '"/2/httpapi"' : '"/batch"'},"user_properties_updated":${r.chance(0.3)},"group_first_event":{},"group_ids":{}${r.chance(0.02) ? `,"vacuum_source_id":"${r.hex8()}"` : ''}}`;
    const gup = r.chance(0.1) ? `{"plan":${q(r.pick(['free', 'pro']))}}` : 'null';
    const iae = p.kind === 'ios' || p.kind === 'android' ? (r.chance(0.5) ? 'false' : 'null') : 'null';
    const plan = r.chance(0.3) ? `{"branch":"main","source":${q(p.kind === 'http' ? 'backend' : p.kind)},"version":"${1 + r.int(9)}"}` : '{}';
    const sampleRate = r.chance(0.05) ? r.pick(['1', '0.5', '0.1']) : 'null';
    const props = eventProperties(r, type, p);
    const cet = formatMicros(eventUs);
    const line =
      `{"$insert_id":"${insertId}","$insert_key":${insertKey},"$schema":${schema},"adid":${p.adid},` +
      `"amplitude_attribution_ids":null,"amplitude_event_type":null,"amplitude_id":${p.amplitudeId},"app":${this.o.appId},` +
      `"city":${p.city},"client_event_time":"${cet}","client_upload_time":"${formatMicros(clientUploadUs)}",` +
      `"country":${p.country},"data":${data},"data_type":"event","device_brand":null,"device_carrier":${p.carrier},` +
      `"device_family":${p.family},"device_id":"${p.deviceId}","device_manufacturer":null,"device_model":null,` +
      `"device_type":${p.deviceType},"dma":${p.dma},"event_id":${eventId},"event_properties":${props},` +
      `"event_time":"${cet}","event_type":${TYPE_JSON.get(type) ?? q(type)},"global_user_properties":${gup},` +
      `"group_properties":${p.groupProps},"groups":${p.groups},"idfa":${p.idfa},"ip_address":${p.ip},` +
      `"is_attribution_event":${iae},"language":${p.language},"library":${p.library},"location_lat":${p.lat},` +
      `"location_lng":${p.lng},"os_name":${p.osName},"os_version":${p.osVersion},"partner_id":null,` +
      `"paying":${p.paying},"plan":${plan},"platform":${p.platform},"processed_time":"${formatMicros(processedUs)}",` +
      `"region":${p.region},"sample_rate":${sampleRate},"server_received_time":"${formatMicros(receivedUs)}",` +
      `"server_upload_time":"${formatMicros(uploadUs)}","session_id":${sessionId},"source_id":${p.sourceId},` +
      `"start_version":${p.startVersion},"user_creation_time":${p.userCreation},"user_id":${p.userId},` +
      `"user_properties":${p.userProps},"uuid":"${uuid}","version_name":${p.versionName}}\n`;
    return line;
  }

  private lastShape: { hour: number; shape: HourShape } | undefined;

  /**
   * Deterministic per (seed, hour counted from dataStart): ~10% of hours are empty, the others vary
   * around eventsPerHour. Counting from dataStart, not from the epoch, keeps a test whose data ends
   * "six hours ago" the same data whatever hour of the day it runs at.
   */
  private shape(hour: number): HourShape {
    if (this.lastShape?.hour === hour) return this.lastShape.shape;
    const seed = hash(this.o.seed, 'hour', hour - this.dataStartHour);
    const r = new Rng(seed);
    const startMs = hour * HOUR_MS;
    const inSpan = startMs + HOUR_MS > this.o.dataStartMs && startMs < this.o.dataEndMs;
    const empty = !inSpan || r.chance(0.1) || this.o.eventsPerHour <= 0;
    const count = empty ? 0 : Math.max(1, Math.floor(this.o.eventsPerHour * (0.5 + r.float())));
    const shape = { seed, count, members: 1 + r.int(this.o.maxMembersPerHour) };
    this.lastShape = { hour, shape };
    return shape;
  }
}

/** The upload instant within the hour is the event's first random draw, so filters need no full event. */
function uploadOffsetUs(hourSeed: number, i: number): number {
  return new Rng(hash(hourSeed, i)).int(3_600_000_000);
}

/** A UUID-shaped id unique per (hour, index): its last 12 hex digits encode both. */
function uniqueId(r: Rng, hour: number, i: number): string {
  const a = r.hex8();
  const b = r.hex8();
  const tail = hex6(hour) + hex6(i);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${'89ab'[r.int(4)]}${r.hex8().slice(0, 3)}-${tail}`;
}

const HEX2 = Array.from({ length: 256 }, (_, k) => k.toString(16).padStart(2, '0'));
const hex6 = (n: number): string =>
  (HEX2[(n >>> 16) & 255] as string) + (HEX2[(n >>> 8) & 255] as string) + (HEX2[n & 255] as string);

function pickType(r: Rng): string {
  let x = r.float() * SDK_WEIGHT;
  for (const t of SDK_TYPES) {
    x -= t.weight;
    if (x < 0) return t.name;
  }
  return (SDK_TYPES[0] as EventTypeInfo).name;
}

const price = (r: Rng): number => (100 + r.int(20000)) / 100;

/** A big integer beyond 2^53, written literally: JSON readers that go through doubles round it. */
function bigInteger(r: Rng): string {
  return (2n ** 53n + BigInt(1 + 2 * r.int(1_000_000))).toString();
}

function eventProperties(r: Rng, type: string, p: Profile): string {
  const extra = r.chance(0.01) ? `,"external_ref":${bigInteger(r)}` : '';
  const page = r.pick(PAGES);
  switch (type) {
    case 'Page Viewed':
      return `{"page":{"path":${q(page[0])},"title":${q(page[1])}},"referrer":${q(r.pick(['https://www.google.com/', null, 'https://t.co/x']))},"utm":{"source":${q(r.pick(['google', 'newsletter', null]))},"campaign":${q(r.pick(['spring_sale', 'Retargeting, EU', null]))}}${extra}}`;
    case '[Amplitude] Page Viewed':
      return `{"[Amplitude] Page Path":${q(page[0])},"[Amplitude] Page Title":${q(page[1])},"[Amplitude] Page URL":${q(`https://shop.example.com${page[0]}`)},"[Amplitude] Page Domain":"shop.example.com"${extra}}`;
    case 'Button Clicked':
      return `{"button":{"id":${q(r.pick(['cta-hero', 'nav-signup', 'buy-now']))},"text":${q(r.pick(['Start free trial', 'Sign up', 'Buy now']))}},"Position":${q(r.pick(['Top', 'Bottom']))},"position":${q(r.pick(['hero', 'footer']))}${extra}}`;
    case 'Search':
      return `{"query":${q(r.pick(QUERIES))},"results_count":${r.int(500)},"filters":{"category":${q(r.pick(['shoes', 'outdoor', null]))},"price.max":${r.int(300)}}${extra}}`;
    case 'Add to Cart':
      return `{"product":{"sku":"SKU-${1000 + r.int(9000)}","name":${q(r.pick(PRODUCTS))},"price":${price(r)},"currency":"EUR"},"quantity":${1 + r.int(4)},"cart.size":${1 + r.int(8)}${extra}}`;
    case 'Purchase Completed': {
      const items = 1 + r.int(3);
      const parts: string[] = [];
      for (let k = 0; k < items; k++) parts.push(`{"sku":"SKU-${1000 + r.int(9000)}","price":${price(r)},"qty":${1 + r.int(3)}}`);
      return `{"order_id":"ORD-${r.hex8()}","revenue":${price(r)},"items":[${parts.join(',')}],"coupon":${q(r.pick(['WELCOME10', null, null]))},"ad_metrics.cost":${r.int(500) / 100}${extra}}`;
    }
    case 'Sign Up':
      return `{"method":${q(r.pick(['email', 'google', 'apple']))},"referral_code":${q(r.chance(0.3) ? `REF-${r.hex8()}` : null)},"City":${p.city},"city":${p.city === 'null' ? 'null' : p.city.toLowerCase()}${extra}}`;
    case 'Video Played':
      return `{"video_id":"vid_${r.hex8()}","duration_s":${10 + r.int(600)},"autoplay":${r.chance(0.5)},"quality":${q(r.pick(['720p', '1080p', '4k']))}${extra}}`;
    case 'session_start':
      return extra ? `{${extra.slice(1)}}` : '{}';
    case 'Share "Post", Externally':
      return `{"channel":${q(r.pick(['twitter', 'linkedin', 'email']))},"post.id":"p_${r.hex8()}"${extra}}`;
    case 'Debug Ping':
      return `{"ping_ms":${r.int(400)},"build":"${r.hex8()}"${extra}}`;
    default:
      return extra ? `{${extra.slice(1)}}` : '{}';
  }
}
