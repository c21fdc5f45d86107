/**
 * Registry events recorded as commit trailers (`Mlops-Event: alias_moved churn champion v2 -> v3`) and
 * read back from `git log` limited to the model's folder.
 */
import type { EventType, RegistryEvent } from './index.ts';

/** An event before it has a commit. */
export type PendingEvent = Pick<RegistryEvent, 'type' | 'model' | 'version' | 'alias' | 'from'>;

const TYPES: EventType[] = ['registered', 'alias_set', 'alias_moved', 'archived', 'rolled_back'];
const LINE = /^Mlops-Event:\s*(\S+)\s+(\S+)(?:\s+([a-z][a-z0-9_-]*))?\s+(?:v(\d+)\s*->\s*)?v(\d+)\s*$/;

/** Trailer lines for events, one `Mlops-Event:` per event. */
export function formatEventTrailers(events: PendingEvent[]): string[] {
  return events.map((e) => {
    const alias = e.alias ? ` ${e.alias}` : '';
    const from = e.from !== undefined ? `v${e.from} -> ` : '';
    return `Mlops-Event: ${e.type} ${e.model}${alias} ${from}v${e.version}`;
  });
}

/** Events in a commit message (trailers in any paragraph, in order). Unknown lines are ignored. */
export function parseEventTrailers(message: string): PendingEvent[] {
  const out: PendingEvent[] = [];
  for (const line of message.split('\n')) {
    const m = LINE.exec(line.trim());
    if (!m || !TYPES.includes(m[1] as EventType)) continue;
    const ev: PendingEvent = { type: m[1] as EventType, model: m[2], version: Number(m[5]) };
    if (m[3]) ev.alias = m[3];
    if (m[4]) ev.from = Number(m[4]);
    out.push(ev);
  }
  return out;
}

/** `git log` format whose output `parseLog` reads. */
export const LOG_FORMAT = '%H%x1f%an <%ae>%x1f%aI%x1f%s%x1f%B%x1e';

/** Turn `git log --format=LOG_FORMAT` output into the events of one model, newest commit first. */
export function parseLog(output: string, model: string): RegistryEvent[] {
  const events: RegistryEvent[] = [];
  for (const rec of output.split('\x1e')) {
    const fields = rec.replace(/^\n/, '').split('\x1f');
    if (fields.length < 5) continue;
    const [commit, author, time, message, body] = fields;
    for (const e of parseEventTrailers(body)) {
      const utc = new Date(time).toISOString().replace('.000Z', 'Z');
      if (e.model === model) events.push({ ...e, commit, author, time: utc, message });
    }
  }
  return events;
}
