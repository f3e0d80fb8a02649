// Worker entry: the gateway app; and, for use from another Worker's code, the Router library with its state
// stores and a stream reader. The Durable Object classes it binds are the companion's (src/companion/index.ts).
import { createApp } from './app';

export { Router } from './router/router';
export { DurableStateStore } from './state/durable-store';
export { MemoryStateStore } from './state/memory';
export { streamChunks } from './stream/chunks';
export { createApp } from './app';

export default createApp();
