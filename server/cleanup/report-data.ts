// Gathers what the cleanup report shows, from the journal, the tag rules,
// the models and the backups; report.ts renders it.
import type { AppContext } from '../context.js';
import { ApiError } from '../errors.js';
import { parentOf } from '../models-service/units.js';
import type { KeptModel, ReportInput } from './report.js';

/** The newest backup, as the backups module lists them. */
export type BackupSummary = NonNullable<ReportInput['backup']>;

/** Builds the report's input for a session id or `latest`; 404 when there is no such session. */
export async function reportInput(
  ctx: Pick<AppContext, 'journal' | 'tags' | 'models' | 'scan'>,
  session: string,
  lang: 'en' | 'es',
  latestBackup?: () => Promise<BackupSummary | undefined>,
): Promise<ReportInput> {
  const sessions = ctx.journal.sessions();
  const chosen = session === 'latest' ? sessions[0] : sessions.find((s) => s.id === session);
  if (!chosen) {
    throw new ApiError(404, 'NO_SESSION', session === 'latest' ? 'nothing has been deleted yet: the report covers a cleanup session' : `no cleanup session ${session}`);
  }
  const snap = ctx.tags.snapshot();
  if (snap === null) throw new ApiError(503, 'SCANNING', 'the first scan is still running');
  const { cls } = snap;
  const facts = new Map(ctx.models.facts().map((f) => [f.ref.path, f]));
  const kept = (path: string): KeptModel => {
    const f = facts.get(path);
    return { path, bytes: f?.ref.bytes ?? 0, mtimeMs: f?.ref.mtimeMs ?? 0, metrics: f?.info?.metrics ?? {} };
  };
  const critical: KeptModel[] = [];
  const historical: KeptModel[] = [];
  const resume: KeptModel[] = [];
  for (const path of [...cls.units.keys()].sort()) {
    const auto = cls.auto.get(path);
    const user = new Set(ctx.tags.userTagsOf(path));
    if (auto?.has('critical') || user.has('critical')) {
      const pins = ctx.tags.referencesTo(path).filter((r) => r.protects && !r.missing).map((r) => `${r.file}:${r.line}`);
      critical.push({ ...kept(path), neededBy: pins.length ? pins : ['tag critical'] });
    } else if (user.has('historical') || cls.reasons(path).some((r) => r.includes('tag historical'))) {
      const note = ctx.tags.noteOf(path);
      historical.push({ ...kept(path), ...(note ? { note } : {}) });
    } else if (auto?.has('resume')) resume.push(kept(path));
  }
  const integrity = [...critical, ...historical, ...resume].map((m) => {
    const i = facts.get(m.path)?.info?.integrity;
    return { path: m.path, status: i?.status ?? 'unchecked', ...(i?.detail ? { detail: i.detail } : {}), full: i?.full === true };
  });
  const optional = [...snap.optional].sort().map((p) => ({ path: p, bytes: facts.get(p)?.ref.bytes ?? 0 }));
  const structure = [...cls.units.keys()].sort().map((p) => {
    const isDir = facts.get(p)?.ref.kind === 'folder';
    return { path: p, bytes: facts.get(p)?.ref.bytes ?? 0, tags: [...ctx.tags.tagsOf(p, isDir)] };
  });
  const stale = ctx.tags.staleReferences().map((s) => ({ file: s.file, line: s.line, target: s.target }));
  const backup = await latestBackup?.();
  return {
    lang,
    session: chosen,
    afterBytes: ctx.scan.summary().bytes,
    critical,
    historical,
    resume,
    ...(backup ? { backup } : {}),
    integrity,
    optional,
    structure,
    stale,
    groupOf: (path, category) => {
      if (category === 'intermediate') return parentOf(path) || path;
      // The outermost folder of the category above the path (a part of a split experiment goes under it).
      const segs = path.split('/');
      for (let i = 1; i <= segs.length; i++) {
        const p = segs.slice(0, i).join('/');
        if (cls.categoriesOf(p, i < segs.length).includes(category as never)) return p;
      }
      return path;
    },
  };
}
