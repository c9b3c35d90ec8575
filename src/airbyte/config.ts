// Airbyte's source-amplitude settings under their Airbyte names and values, read as the tap's own
// so that an Airbyte config file works unchanged; one notice line says what was translated.

const REGIONS: Record<string, string> = { 'Standard Server': 'standard', 'EU Residency Server': 'eu' };

/** The settings with Airbyte's names and values translated, and the notice (undefined when none was). */
export function fromAirbyteConfig(input: Record<string, unknown>): { settings: Record<string, unknown>; notice?: string; renamed: Record<string, string> } {
  const settings = { ...input };
  /** The tap's name → the Airbyte name it was read from, so that a problem names what the user wrote. */
  const renamed: Record<string, string> = {};
  const read: string[] = [];
  const region = settings.data_region;
  if (typeof region === 'string' && REGIONS[region]) {
    settings.data_region = REGIONS[region];
    read.push(`data_region "${region}" as "${REGIONS[region]}"`);
  }
  if ('request_time_range' in settings) {
    const hours = settings.request_time_range;
    delete settings.request_time_range;
    if (settings.events_window_hours === undefined || settings.events_window_hours === null) {
      settings.events_window_hours = hours;
      renamed.events_window_hours = 'request_time_range';
      read.push(`request_time_range as events_window_hours ${JSON.stringify(hours)}`);
    } else {
      read.push('not request_time_range, since events_window_hours is set');
    }
  }
  if (read.length === 0) return { settings, renamed };
  return { settings, renamed, notice: `config: read Airbyte's settings: ${read.join(', ')}; the tap's own names and values stop this notice` };
}
