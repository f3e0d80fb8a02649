// router.config.yaml is bundled as text (wrangler.toml [[rules]] type = "Text").
declare module '*.yaml' {
  const text: string;
  export default text;
}
