// Templates are imported as text: esbuild's text loader in the bundles, tests/hbs-transform.cjs under jest.
declare module '*.hbs' {
  const source: string;
  export default source;
}
