// `make simulator`: runs the simulator in the foreground until SIGINT/SIGTERM.
// Env: PORT (8787), SIM_SEED (1), SIM_DAYS (7: data span back from now), SIM_EVENTS_PER_HOUR (30),
// SIM_LAG_HOURS (2).
import { createSimulator } from './server.js';
import { HOUR_MS } from './time-format.js';

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    process.stderr.write(`${name} must be a non-negative number, got "${raw}"\n`);
    process.exit(2);
  }
  return value;
}

const days = numberFromEnv('SIM_DAYS', 7);
const sim = await createSimulator({
  port: numberFromEnv('PORT', 8787),
  seed: numberFromEnv('SIM_SEED', 1),
  eventsPerHour: numberFromEnv('SIM_EVENTS_PER_HOUR', 30),
  exportLagHours: numberFromEnv('SIM_LAG_HOURS', 2),
  dataStart: new Date((Math.floor(Date.now() / HOUR_MS) - Math.round(days * 24)) * HOUR_MS).toISOString(),
});

const o = sim.options;
process.stderr.write(
  [
    `Amplitude simulator listening on ${sim.url}`,
    `  api_url:    ${sim.url}`,
    `  api_key:    ${o.apiKey}`,
    `  secret_key: ${o.secretKey}   (demo credentials, not secrets)`,
    `  data:       ${o.dataStart} .. ${o.dataEnd}, ~${o.eventsPerHour} events/hour, seed ${o.seed}`,
    `  export lag: ${o.exportLagHours} h (newest exportable hour now: ${sim.truth.lastExportableHour()})`,
    `  admin:      ${sim.url}/__sim/state, /__sim/requests, /__sim/faults`,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
const shutdown = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`${signal} received, stopping the simulator\n`);
  sim.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`error while stopping: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
