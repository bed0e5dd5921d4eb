// Render TeX to SVG for the offline handouts (called by adam_edu/course/handouts.py).
// stdin: JSON {"items": [{"tex": "...", "display": true|false}, ...]}
// stdout: JSON {"css": "<MathJax SVG stylesheet>", "glyphs": "<svg id=MJX-SVG-global-cache>...</svg>",
//               "items": [{"svg": "<mjx-container ...>", "error": null|"..."}]}
// Put "glyphs" once in the page (anywhere in <body>): every formula's <use> refers to its outlines.
// Needs `npm ci` in this folder (mathjax-full 3, pinned by package-lock.json).
"use strict";
const { mathjax } = require("mathjax-full/js/mathjax.js");
const { TeX } = require("mathjax-full/js/input/tex.js");
const { SVG } = require("mathjax-full/js/output/svg.js");
const { liteAdaptor } = require("mathjax-full/js/adaptors/liteAdaptor.js");
const { RegisterHTMLHandler } = require("mathjax-full/js/handlers/html.js");
const { AllPackages } = require("mathjax-full/js/input/tex/AllPackages.js");

const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);
// bussproofs needs a second pass (unused here); noerrors and noundefined would hide mistakes as red text.
const packages = AllPackages.filter((name) => !["bussproofs", "noerrors", "noundefined"].includes(name));
// A TeX error (unknown macro, unbalanced braces) throws, so the build can name the formula.
const tex = new TeX({
  packages,
  formatError: (_jax, err) => {
    throw err;
  },
});
// One set of glyph outlines per page (the "global" cache), referenced by every formula on it.
const svg = new SVG({ fontCache: "global" });
const doc = mathjax.document("", { InputJax: tex, OutputJax: svg });

function render(item) {
  try {
    const node = doc.convert(item.tex, { display: Boolean(item.display), em: 16, ex: 8, containerWidth: 1280 });
    return { svg: adaptor.outerHTML(node), error: null };
  } catch (err) {
    return { svg: null, error: String(err && err.message ? err.message : err) };
  }
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const request = JSON.parse(input);
  const items = request.items.map(render);
  const css = adaptor.textContent(svg.styleSheet(doc));
  const cache = svg.pageElements(doc);
  const glyphs = cache ? adaptor.outerHTML(cache) : "";
  process.stdout.write(JSON.stringify({ css, glyphs, items }));
});
