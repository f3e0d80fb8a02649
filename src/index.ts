// Worker entry: the gateway app and the Durable Object classes; and, for use from another Worker's code,
// the Router library with its state stores and a stream reader.
import { createApp } from './app';

export { RouterState } from './state/durable-object';
export { MetricsState } from './observability/shards/object';
export { KeyStore } from './keys/store-object';
export { Router } from './router/router';
export { DurableStateStore } from './state/durable-store';
export { MemoryStateStore } from './state/memory';
export { streamChunks } from './stream/chunks';
export { createApp } from './app';

export default createApp();
