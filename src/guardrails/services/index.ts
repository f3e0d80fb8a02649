// The guardrail services, called over HTTP in their own wire formats.
import type { Kind } from '../kinds';

export const SERVICES: Record<string, Kind> = {};
