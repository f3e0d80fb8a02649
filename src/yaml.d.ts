// A .yaml imported as text (wrangler.toml [[rules]] type = "Text"): the tests read router.config.yaml so;
// the Worker gets it validated at build time instead (src/generated/config.ts).
declare module '*.yaml' {
  const text: string;
  export default text;
}
