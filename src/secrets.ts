// The one secret masker: every log line and every quoted foreign text goes through it, so no
// credential reaches any output, whatever fails.

import { hideUserinfo } from './format.js';

// Shorter values would mangle ordinary words; real Amplitude keys are 32 hex characters.
const MIN_MASKED_LENGTH = 4;

/** Replaces every occurrence of the registered secrets with `***`. */
export class SecretMasker {
  private secrets: string[] = [];

  constructor(secrets: readonly (string | undefined)[] = []) {
    for (const s of secrets) this.add(s);
  }

  /** Masked from now on; empty and very short values are ignored. */
  add(value: string | undefined): void {
    if (value === undefined || value.length < MIN_MASKED_LENGTH || this.secrets.includes(value)) return;
    this.secrets.push(value);
    this.secrets.sort((a, b) => b.length - a.length); // longest first, so `key:secret` goes before `key`
  }

  mask(text: string): string {
    // A password written into a URL (api_url through a proxy) is masked whatever its length.
    let out = hideUserinfo(text);
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join('***');
    return out;
  }
}
