// --about: what the tap is and which settings it takes, from the config schema.
import { REQUIRED_TO_SYNC, settingsJsonSchema } from '../config.js';
import { TAP_DESCRIPTION, TAP_NAME, TAP_VERSION } from '../version.js';

/** Meltano capability names (its schema's enum), only for what the tap implements. */
export const CAPABILITIES = ['catalog', 'discover', 'state', 'about', 'test', 'activate-version'] as const;

export interface AboutInfo {
  name: string;
  description: string;
  version: string;
  capabilities: string[];
  settings: Record<string, unknown>;
}

export function aboutInfo(): AboutInfo {
  return { name: TAP_NAME, description: TAP_DESCRIPTION, version: TAP_VERSION, capabilities: [...CAPABILITIES], settings: settingsJsonSchema() };
}

type Prop = { type?: string; default?: unknown; description?: string; enum?: unknown[]; minimum?: number; maximum?: number; sensitive?: boolean; format?: string };

function typeLabel(p: Prop): string {
  if (p.enum) return p.enum.map((v) => `\`${String(v)}\``).join(' or ');
  if (p.type === 'integer' && p.minimum !== undefined && p.maximum !== undefined) return `integer ${p.minimum}..${p.maximum}`;
  if (p.type === 'array') return 'list of strings';
  if (p.format === 'date-time') return 'date';
  return p.type ?? 'string';
}

/** A README-ready settings table. */
export function aboutMarkdown(): string {
  const schema = settingsJsonSchema() as { properties: Record<string, Prop> };
  const required = new Set<string>(REQUIRED_TO_SYNC);
  const rows = Object.entries(schema.properties).map(([name, p]) => {
    const def = p.default === undefined ? '' : `\`${JSON.stringify(p.default)}\``;
    const flags = [required.has(name) ? 'required to sync' : '', p.sensitive ? 'secret' : ''].filter(Boolean).join(', ');
    const desc = (p.description ?? '').replace(/\|/g, '\\|');
    return `| \`${name}\` | ${typeLabel(p)} | ${def} | ${flags} | ${desc} |`;
  });
  return ['| Setting | Type | Default | Notes | Description |', '|---|---|---|---|---|', ...rows].join('\n') + '\n';
}

export function aboutText(): string {
  const info = aboutInfo();
  const schema = info.settings as { properties: Record<string, Prop> };
  const lines = [`${info.name} v${info.version}`, info.description, '', `Capabilities: ${info.capabilities.join(', ')}`, '', 'Settings:'];
  for (const [name, p] of Object.entries(schema.properties)) {
    lines.push(`  ${name} (${typeLabel(p)}${p.default === undefined ? '' : `, default ${JSON.stringify(p.default)}`}): ${p.description ?? ''}`);
  }
  return lines.join('\n') + '\n';
}
