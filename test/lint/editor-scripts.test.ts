// The editor's scripts stay readable: no function in a node's dialog script (the <script type="text/javascript">
// blocks of nodes/*.html and nodes/lib/device-editor.html) or in the shared resources/editor.js runs over
// MAX_LINES lines. Functions are found with the TypeScript parser, not by counting braces. And every node's dialog
// is built on the shared script, which gives it its configVersion and the runtime's migrations.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const MAX_LINES = 80;

/** The editor script blocks of an HTML file (not the dialog templates, which are text/html). */
function scriptsOf(html: string): string[] {
  return [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/gu)].map((m) => m[1]);
}

interface Measured {
  name: string;
  lines: number;
}

/** `(function () { ... })();` at the top of a script: the file's own scope, not a function anyone reads as one. */
function isFileWrapper(node: ts.Node): boolean {
  const call = node.parent?.parent;
  return ts.isFunctionExpression(node) && ts.isParenthesizedExpression(node.parent) && !!call && ts.isCallExpression(call) && ts.isExpressionStatement(call.parent) && ts.isSourceFile(call.parent.parent);
}

/** Every function in a script with its length in lines, first line to last. */
function functionsOf(code: string, file: string): Measured[] {
  const source = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const found: Measured[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body && !isFileWrapper(node)) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({ name: `${file}:${first + 1} ${nameOf(node)}`, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function nameOf(node: ts.Node): string {
  const named = node as { name?: ts.Node };
  if (named.name) return named.name.getText();
  const parent = node.parent;
  if (parent && (ts.isPropertyAssignment(parent) || ts.isVariableDeclaration(parent))) return parent.name.getText();
  return '(anonymous)';
}

function editorFunctions(): Measured[] {
  const htmls = [
    ...readdirSync(path.join(ROOT, 'nodes')).filter((f) => f.endsWith('.html')).map((f) => path.join('nodes', f)),
    path.join('nodes', 'lib', 'device-editor.html'),
  ];
  const fromHtml = htmls.flatMap((f) => scriptsOf(readFileSync(path.join(ROOT, f), 'utf8')).flatMap((code, i) => functionsOf(code, `${f}#${i + 1}`)));
  const shared = path.join('resources', 'editor.js');
  return [...fromHtml, ...functionsOf(readFileSync(path.join(ROOT, shared), 'utf8'), shared)];
}

describe('editor scripts', () => {
  it(`have no function over ${MAX_LINES} lines`, () => {
    const functions = editorFunctions();
    expect(functions.length, 'functions found').toBeGreaterThan(100);
    const long = functions.filter((f) => f.lines > MAX_LINES).map((f) => `${f.name}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });

  it('measures what it should: a long oneditprepare is caught, the file wrapper is not', () => {
    const body = Array.from({ length: MAX_LINES }, (_, i) => `            const v${i} = ${i};`).join('\n');
    const code = `\n(function () {\n    RED.nodes.registerType('x', {\n        oneditprepare: function () {\n${body}\n        }\n    });\n})();\n`;
    const functions = functionsOf(code, 'fixture');
    expect(functions.filter((f) => f.lines > MAX_LINES).map((f) => f.name)).toEqual(['fixture:4 oneditprepare']);
  });
});

describe('every node type’s editor', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
  const sources = (js: string): string => {
    const base = path.basename(js, '.js');
    const file = ['ups', 'pdu', 'sensor', 'meter'].includes(base) ? path.join('nodes', 'lib', 'device-editor.html') : path.join('nodes', `${base}.html`);
    return readFileSync(path.join(ROOT, file), 'utf8');
  };
  it.each(Object.entries(pkg['node-red'].nodes))('%s loads the shared scripts and registers through them', (_type, js) => {
    const html = sources(js);
    expect(html).toContain('<script src="resources/node-red-contrib-rackpower/migrations.js"></script>');
    expect(html).toContain('<script src="resources/node-red-contrib-rackpower/editor.js"></script>');
    expect(html).toMatch(/window\.rackpowerEditor\.node\((T|TYPE)\)/u);
    expect(html).not.toMatch(/RED\.nodes\.registerType\(/u);
  });
});
