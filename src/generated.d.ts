// src/generated/config.ts is written by the build (scripts/config.mjs) and git-ignored; this gives its type
// to a type check run before any build has written it. Once written, the file itself is checked.
declare module '*/generated/config' {
  const bundled: import('./config/bundled').BundledConfig;
  export default bundled;
}
