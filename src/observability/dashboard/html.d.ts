// The dashboard page is bundled as text (wrangler.toml [[rules]] type = "Text").
declare module '*.html' {
  const text: string;
  export default text;
}
