// Reading the spend log as LiteLLM's endpoints do: filters from the query string (an unknown one, or a date
// that is not one, is a 400 naming it), turned into one parameterised WHERE clause.
import { badRequest } from '../../../router/errors';

export type Params = Record<string, string>;

/** Refuses any parameter not in `known`, naming every one. */
export function checkParams(route: string, params: Params, known: readonly string[]): void {
  const unknown = Object.keys(params).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw badRequest(`Unknown parameter${unknown.length > 1 ? 's' : ''} for ${route}: ${unknown.join(', ')}. Known: ${known.join(', ')}`, unknown[0], 'unknown_parameter');
  }
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MOMENT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?Z?$/;

/**
 * A bound on startTime, as ISO text: `YYYY-MM-DD` (LiteLLM's /spend/logs and reports) is the day's start, or
 * for an end the next day's start, so an end day is included whole; `YYYY-MM-DD HH:MM:SS` (LiteLLM's
 * /spend/logs/v2) or ISO-8601 in UTC is that moment (an end includes it).
 */
export function dateBound(name: string, value: string, end: boolean): string {
  const day = DAY.exec(value);
  const moment = day ? undefined : MOMENT.exec(value);
  const parts = (day ?? moment)?.slice(1).map((p) => (p === undefined ? 0 : Number(p.replace('.', '0.')))) ?? [];
  const [y, mo, d, h = 0, mi = 0, s = 0, frac = 0] = parts;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s, Math.round(frac * 1000));
  const back = new Date(ms);
  if ((!day && !moment) || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw badRequest(`${name}: "${value}" is not a date; send YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (UTC)`, name, 'invalid_date');
  }
  return new Date(end ? (day ? ms + 86_400_000 : ms + 1) : ms).toISOString();
}

export function numberParam(name: string, value: string | undefined, opts: { min?: number; max?: number; int?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (opts.int && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
    const range = [opts.min !== undefined && `>= ${opts.min}`, opts.max !== undefined && `<= ${opts.max}`].filter(Boolean).join(' and ');
    throw badRequest(`${name}: "${value}" is not ${opts.int ? 'an integer' : 'a number'}${range ? ` ${range}` : ''}`, name, 'invalid_parameter');
  }
  return n;
}

/** A WHERE clause built from conditions, each with its bound values. */
export class Where {
  private readonly parts: string[] = [];
  readonly values: unknown[] = [];

  add(sql: string, ...values: unknown[]): this {
    this.parts.push(sql);
    this.values.push(...values);
    return this;
  }

  /** `column = ?` when the value is given. */
  eq(column: string, value: string | undefined): this {
    return value === undefined ? this : this.add(`"${column}" = ?`, value);
  }

  /** startTime within [from, to) when given. */
  between(from: string | undefined, to: string | undefined): this {
    if (from !== undefined) this.add('"startTime" >= ?', from);
    if (to !== undefined) this.add('"startTime" < ?', to);
    return this;
  }

  toString(): string {
    return this.parts.length ? ` WHERE ${this.parts.join(' AND ')}` : '';
  }
}

/** A stored row as the API returns it: JSON columns parsed, as LiteLLM's Prisma client returns them. */
export function rowOut(r: Record<string, unknown>): Record<string, unknown> {
  const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  return { ...r, metadata: parse(r.metadata), request_tags: parse(r.request_tags), messages: parse(r.messages), response: parse(r.response) };
}
