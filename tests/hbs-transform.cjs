// Jest counterpart of esbuild's text loader: a template file becomes a module exporting its text.
module.exports = {
  process(sourceText) {
    return { code: `module.exports = { __esModule: true, default: ${JSON.stringify(sourceText)} };` };
  },
};
