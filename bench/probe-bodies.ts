// The bodies bench:probe serves by name: a size ("2k", "50k", "1m") or a stream count ("50streams").
import { generateStreamsBody, generateStreamsBodyOfCount, parseSize } from './srs-body-generator.js';

export function bodyOf(name: string): { readonly body: Uint8Array; readonly streams: number } {
  const count = /^(\d+)streams$/.exec(name)?.[1];
  return count === undefined ? generateStreamsBody(parseSize(name)) : generateStreamsBodyOfCount(Number(count));
}

/** Checks a body name for a flag: throws a message for one that is neither a size nor `<n>streams`. */
export function checkBodyName(name: string): string {
  if (/^\d+streams$/.test(name)) return name;
  parseSize(name);
  return name;
}
