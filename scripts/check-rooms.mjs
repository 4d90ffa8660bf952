#!/usr/bin/env node
// Prints which room (top folder of src/) imports which, and fails on an arrow the architecture
// forbids or on a cycle between rooms. Files directly in src/ form the "base" room that every
// room may use (errors, logger, version); the library entry (index.ts) may use every room.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** What each room may import besides itself and base. */
const ALLOWED = {
  cli: ['protocol', 'audio', 'cost', 'recording', 'client', 'server', 'tools', 'testing'],
  testing: ['protocol', 'audio', 'cost', 'recording', 'server'],
  server: ['protocol', 'audio', 'cost', 'recording'],
  client: ['protocol', 'audio', 'cost'],
  recording: ['protocol', 'audio', 'cost'],
  cost: ['protocol'],
  tools: ['protocol'],
  audio: ['protocol'],
  protocol: [],
  base: [],
};
const ENTRY_FILES = new Set(['index.ts']);

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function roomOf(file) {
  const parts = relative(SRC, file).split(sep);
  return parts.length === 1 ? 'base' : parts[0];
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => resolve(dirname(file), m[1] ?? m[2]));
}

const arrows = new Map(); // "from -> to" -> example "file → target"
for (const file of sourceFiles(SRC)) {
  if (ENTRY_FILES.has(relative(SRC, file))) continue;
  const from = roomOf(file);
  for (const target of importsOf(file)) {
    const to = roomOf(target);
    if (to === from) continue;
    const key = `${from} -> ${to}`;
    if (!arrows.has(key)) arrows.set(key, { from, to, examples: [] });
    arrows.get(key).examples.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
  }
}

const rooms = [...new Set([...arrows.values()].flatMap((a) => [a.from, a.to]))].sort();
const width = Math.max(...rooms.map((r) => r.length));
console.log('room-to-room imports (files importing; row imports column):');
console.log(' '.repeat(width) + '  ' + rooms.map((r) => r.padStart(width)).join(' '));
for (const from of rooms) {
  const cells = rooms.map((to) => {
    const arrow = arrows.get(`${from} -> ${to}`);
    return (arrow ? String(new Set(arrow.examples.map((e) => e.split(' → ')[0])).size) : '·').padStart(width);
  });
  console.log(from.padEnd(width) + '  ' + cells.join(' '));
}

const problems = [];
for (const { from, to, examples } of arrows.values()) {
  if (to === 'base') continue;
  const allowed = ALLOWED[from];
  if (!allowed) problems.push(`room ${from} is not in the architecture (scripts/check-rooms.mjs)`);
  else if (!allowed.includes(to)) problems.push(`forbidden: ${from} -> ${to} (${examples.slice(0, 3).join('; ')})`);
}
for (const { from, to } of arrows.values()) {
  if (from < to && arrows.has(`${to} -> ${from}`)) problems.push(`cycle: ${from} <-> ${to}`);
}
// Longer cycles: depth-first search over the room graph.
const next = (room) => [...arrows.values()].filter((a) => a.from === room && a.to !== 'base').map((a) => a.to);
const seen = new Set();
function findCycle(room, path) {
  if (path.includes(room)) return [...path.slice(path.indexOf(room)), room];
  if (seen.has(room)) return null;
  for (const to of next(room)) {
    const cycle = findCycle(to, [...path, room]);
    if (cycle) return cycle;
  }
  seen.add(room);
  return null;
}
for (const room of rooms) {
  const cycle = findCycle(room, []);
  if (cycle && cycle.length > 3) { problems.push(`cycle: ${cycle.join(' -> ')}`); break; }
}

if (problems.length > 0) {
  console.error(problems.map((p) => `check:rooms: ${p}`).join('\n'));
  process.exit(1);
}
console.log('check:rooms: every import follows the architecture; no cycles');
