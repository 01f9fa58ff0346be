// The Markdown report of one cleanup session, with the seed report's
// sections: summary, models kept, deleted by category, backup, integrity,
// files left out, final structure, next steps. Pure: report-data.ts gathers
// the facts from the journal, the rules and the store.
import type { JournalEntry } from '../../shared/schemas/api.js';
import { formatBytes, formatCount } from '../../shared/format.js';
import { EN, ES, type ReportText } from './report-text.js';

/** A kept model as the report lists it. */
export interface KeptModel {
  path: string;
  bytes: number;
  mtimeMs: number;
  /** `file:line` of the configs that pin it (critical models). */
  neededBy?: string[];
  metrics?: Record<string, number>;
  note?: string;
}

/** Everything one report shows. */
export interface ReportInput {
  lang: 'en' | 'es';
  session: { id: string; startedAt: number; endedAt: number; entries: JournalEntry[] };
  /** The root's size now. */
  afterBytes: number;
  critical: KeptModel[];
  historical: KeptModel[];
  resume: KeptModel[];
  backup?: { name: string; bytes: number; files: { name: string; path: string; size: number }[] };
  integrity: { path: string; status: string; detail?: string; full: boolean }[];
  optional: { path: string; bytes: number }[];
  /** Model files left under the root, with their tags. */
  structure: { path: string; bytes: number; tags: string[] }[];
  stale: { file: string; line: number; target: string }[];
  /** The folder each deleted path is listed under (a run for intermediates, the experiment for its parts). */
  groupOf?: (path: string, category: string) => string;
}

const CATEGORY_ORDER = ['intermediate', 'experiment', 'ablation', 'debug'];
const LARGEST_SHOWN = 20;

export function renderReport(r: ReportInput): string {
  const t = r.lang === 'es' ? ES : EN;
  const out: string[] = [];
  const done = r.session.entries.filter((e) => e.result === 'deleted' || e.result === 'partial');
  const freed = done.reduce((s, e) => s + e.freedBytes, 0);
  const before = r.afterBytes + freed;
  const policy = mostCommon(done.map((e) => e.policy ?? 'manual')) ?? 'manual';
  const share = before > 0 ? `${((freed / before) * 100).toFixed(1)}%` : '0%';

  out.push(`# ${t.title}`, '', `**${t.date}**: ${day(r.session.startedAt)}`, `**${t.session}**: ${r.session.id}`, '');
  out.push(`## ${t.summary}`, '', t.summaryLine(formatBytes(freed), share, policy), '', `**${t.result}**:`);
  out.push(`- ${t.before}: ${formatBytes(before)}`, `- ${t.after}: ${formatBytes(r.afterBytes)}`, `- ${t.freed}: ${formatBytes(freed)}`, '');

  const keptCount = r.critical.length + r.historical.length + r.resume.length;
  out.push(`## ${t.kept}`, '', t.keptLine(keptCount), '');
  let n = 0;
  const model = (m: KeptModel, extra: string[]) => {
    out.push(`${++n}. ${code(`checkpoints/${m.path}`)} (${formatBytes(m.bytes)})`);
    for (const line of extra) out.push(`   - ${line}`);
    out.push(`   - ${t.date}: ${day(m.mtimeMs)}`, '');
  };
  if (r.critical.length) {
    out.push(`### ${t.critical}`, '');
    for (const m of r.critical) model(m, [`${t.neededBy}: ${(m.neededBy ?? []).map((f) => code(f)).join(', ')}`, ...metricLine(m)]);
  }
  if (r.historical.length) {
    out.push(`### ${t.historical}`, '');
    for (const m of r.historical) model(m, [...metricLine(m), m.note ?? t.keptForHistory]);
  }
  if (r.resume.length) {
    out.push(`### ${t.resume}`, '');
    for (const m of r.resume) model(m, []);
  }

  out.push(`## ${t.deleted}`, '');
  const byCategory = new Map<string, JournalEntry[]>();
  for (const e of done) byCategory.set(e.category, [...(byCategory.get(e.category) ?? []), e]);
  const categories = [...byCategory.keys()].sort((a, b) => rank(a) - rank(b));
  categories.forEach((c, i) => {
    const list = byCategory.get(c)!;
    const bytes = list.reduce((s, e) => s + e.freedBytes, 0);
    const files = list.reduce((s, e) => s + e.deletedFiles, 0);
    out.push(`### ${i + 1}. ${t.categoryNames[c] ?? c}`);
    const groups = new Map<string, { bytes: number; files: number }>();
    for (const e of list) {
      const g = r.groupOf?.(e.path, c) ?? e.path;
      const x = groups.get(g) ?? { bytes: 0, files: 0 };
      groups.set(g, { bytes: x.bytes + e.freedBytes, files: x.files + e.deletedFiles });
    }
    // Intermediates count as checkpoints; folder categories as the folders the seed would name.
    const count = c === 'intermediate' ? list.length : groups.size;
    out.push(`- **${t.count}**: ${formatCount(count)} (${formatCount(files)} ${t.files})`);
    const largest = [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, LARGEST_SHOWN);
    out.push(`- **${t.largest}**:`);
    for (const [g, x] of largest) {
      const folder = x.files > 1 || !list.some((e) => e.path === g);
      out.push(`  - ${code(`${g}${folder ? '/' : ''}`)} - ${formatBytes(x.bytes)}${x.files > 1 ? ` (${formatCount(x.files)} ${t.files})` : ''}`);
    }
    if (groups.size > largest.length) out.push(`  - … ${formatCount(groups.size - largest.length)} more`);
    out.push(`- **${t.spaceFreed}**: ${formatBytes(bytes)}`, `- **${t.justification}**: ${t.justifications[c] ?? t.justifications.manual}`, '');
  });
  const notDone = r.session.entries.filter((e) => e.result !== 'deleted');
  if (notDone.length) {
    out.push(`### ${t.refused}`, '');
    for (const e of notDone) out.push(`- ${code(e.path)}: ${e.result}${e.detail ? ` (${oneLine(e.detail)})` : ''}`);
    out.push('');
  }

  out.push(`## ${t.backup}`, '');
  if (r.backup) {
    out.push(`- **${t.backupFile}**: ${code(`backups/${r.backup.name}`)}`, `- **${t.backupSize}**: ${formatBytes(r.backup.bytes)}`, `- **${t.backupContents}**: ${r.backup.files.length} ${t.files}`, '');
    out.push(...fenced([`tar -tzf ${oneLine(r.backup.name)}`, ...r.backup.files.map((f) => oneLine(f.name))], 'bash'), '');
  } else out.push(t.noBackup, '');

  out.push(`## ${t.integrity}`, '');
  const checks: string[] = [];
  for (const i of r.integrity) {
    const ok = i.status === 'ok';
    checks.push(`${ok ? '✓' : '✗'} ${oneLine(i.path)} - ${ok ? t.integrityOk : `${t.integrityBad}: ${i.status}${i.detail ? ` (${i.detail})` : ''}`}${ok && !i.full ? ` (${t.notFullyChecked})` : ''}`);
  }
  out.push(...fenced(checks), '');

  const optionalBytes = r.optional.reduce((s, o) => s + o.bytes, 0);
  if (r.optional.length) {
    out.push(`## ${t.notDeleted}`, '', t.notDeletedLine, '');
    for (const o of r.optional) out.push(`- ${code(`checkpoints/${o.path}`)} - ${formatBytes(o.bytes)}`);
    out.push('', `**${t.total}**: ${formatBytes(optionalBytes)}`, '');
  }

  out.push(`## ${t.structure}`, '', ...fenced(treeLines(r.structure, t)), '', `**${t.structureSize}**: ${formatBytes(r.afterBytes)}`, '');

  out.push(`## ${t.nextSteps}`, '');
  let step = 0;
  if (r.stale.length) {
    out.push(`${++step}. ${t.staleRefs}`);
    for (const s of r.stale) out.push(`   - ${code(`${s.file}:${s.line}`)} → ${code(s.target)}`);
    out.push('');
  }
  if (r.optional.length) out.push(`${++step}. ${t.optionalDelete(formatBytes(optionalBytes))}`, '');
  if (step === 0) out.push(t.nothingNext, '');
  return out.join('\n');
}

function metricLine(m: KeptModel): string[] {
  const entries = Object.entries(m.metrics ?? {});
  const pick = entries.find(([k]) => /^val/i.test(k)) ?? entries[0];
  return pick ? [`${pick[0]} ${Number(pick[1].toFixed(4))}`] : [];
}

/** The kept model files as an indented tree, like the seed's final structure. */
function treeLines(files: ReportInput['structure'], t: ReportText): string[] {
  interface Node {
    children: Map<string, Node>;
    file?: ReportInput['structure'][number];
  }
  const top: Node = { children: new Map() };
  for (const f of files) {
    let node = top;
    for (const seg of f.path.split('/')) {
      let next = node.children.get(seg);
      if (!next) node.children.set(seg, (next = { children: new Map() }));
      node = next;
    }
    node.file = f;
  }
  const lines = ['checkpoints/'];
  const walk = (node: Node, prefix: string) => {
    const names = [...node.children.keys()].sort();
    names.forEach((name, i) => {
      const child = node.children.get(name)!;
      const last = i === names.length - 1;
      const label = child.file ? `${oneLine(name)} (${formatBytes(child.file.bytes)})${marks(child.file.tags, t)}` : `${oneLine(name)}/`;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${label}`);
      walk(child, prefix + (last ? '    ' : '│   '));
    });
  };
  walk(top, '');
  return lines;
}

function marks(tags: string[], t: ReportText): string {
  for (const tag of ['critical', 'historical', 'resume']) if (tags.includes(tag)) return ` ✓ ${t.tagNames[tag]}`;
  return tags.includes('optional') ? ` [${t.tagNames.optional}]` : '';
}

function mostCommon(xs: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/**
 * A name as an inline code span that no name can break out of: the fence is longer than any run
 * of backticks inside, and control characters (a newline in a file name) are shown escaped.
 */
export function code(s: string): string {
  const text = oneLine(s);
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced block whose fence no line inside can close. */
function fenced(lines: string[], lang = ''): string[] {
  const longest = Math.max(2, ...lines.flatMap((l) => (l.match(/`+/g) ?? []).map((m) => m.length)));
  const fence = '`'.repeat(longest + 1);
  return [fence + lang, ...lines, fence];
}

/** Control characters as escapes, so a name stays on its line. */
function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const rank = (c: string) => (CATEGORY_ORDER.includes(c) ? CATEGORY_ORDER.indexOf(c) : CATEGORY_ORDER.length);
