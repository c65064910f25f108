// Parses a Mermaid flowchart from standard input with Mermaid's own parser (the `mermaid`
// package, in Node with a jsdom window for the parts that expect a browser), and prints what it
// read as JSON: {"type", "vertices": {id: text}, "edges": [{"start", "end", "text"}],
// "subgraphs": [{"id", "title", "nodes"}]}, each text as Mermaid will show it: its entities
// (`#34;`, which Mermaid keeps as a placeholder until it writes the SVG) turned into the
// characters, and `<br>` into a line break. Exits 1 with the parser's message when Mermaid
// refuses the text (with --many, see below). NODE_PATH must hold `mermaid` and `jsdom` (scripts/tools.sh installs them).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(process.env.NODE_PATH.split(':')[0] + '/');
const { JSDOM } = require('jsdom');
const dom = new JSDOM('<!DOCTYPE html><body></body>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import(require.resolve('mermaid'));

// One flowchart per parse, or with --many a JSON array of them, answered with an array of the
// same JSON, {"error": message} where Mermaid refuses one (Node and Mermaid start once).
async function parse(text) {
  const parsed = await mermaid.parse(text);
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db;
  const shown = (t) =>
    t
      .replace(/\uFB02\u00B0\u00B0(\d+)\u00B6\u00DF/g, (_, n) => String.fromCodePoint(Number(n)))
      .replace(/<br\s*\/?>/g, '\n');
  const vertices = {};
  for (const [id, v] of db.getVertices()) vertices[id] = shown(v.text);
  const edges = db.getEdges().map((e) => ({ start: e.start, end: e.end, text: shown(e.text) }));
  const subgraphs = db
    .getSubGraphs()
    .map((s) => ({ id: s.id, title: shown(s.title), nodes: s.nodes }));
  return { type: parsed.diagramType, vertices, edges, subgraphs };
}

const input = readFileSync(0, 'utf8');
if (process.argv.includes('--many')) {
  const out = [];
  for (const text of JSON.parse(input)) {
    try {
      out.push(await parse(text));
    } catch (e) {
      out.push({ error: e.message });
    }
  }
  console.log(JSON.stringify(out));
} else {
  try {
    console.log(JSON.stringify(await parse(input)));
  } catch (e) {
    console.error(`mermaid refused the diagram: ${e.message}`);
    process.exit(1);
  }
}
