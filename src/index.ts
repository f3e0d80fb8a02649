// Worker entry: the gateway app, and the Durable Object class that holds routing state.
import { createApp } from './app';

export { RouterState } from './state/durable-object';
export { MetricsState } from './observability/metrics-object';
export { Router } from './router/router';
export { createApp } from './app';

export default createApp();
