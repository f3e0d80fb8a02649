// The scrub stage: no secret value of the config (a provider key, the master key) reaches the client in any event,
// whatever its shape: an error the watch stage did not classify, a key an upstream echoed into its content.
import { scrubBytes } from '../security/scrub';
import type { Stage } from './stage';

export const scrubbing: Stage = { take: (events, send) => send(scrubBytes(events)) };
