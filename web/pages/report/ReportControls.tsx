import type { JournalSessions } from '../../../shared/schemas/index.js';
import { formatBytes, formatCount, formatDateTime } from '../../format.js';
import type { ReportLang } from './use-report-state.js';
import styles from './ReportControls.module.css';

type Session = JournalSessions['sessions'][number];

const LANGS: { value: ReportLang; label: string }[] = [
  { value: 'en', label: 'English' },
  { value: 'es', label: 'Español' },
];

interface Props {
  lang: ReportLang;
  onLang: (lang: ReportLang) => void;
  session: string;
  sessions: Session[] | undefined;
  onSession: (session: string) => void;
  onDownload: (() => void) | undefined;
  downloading: boolean;
}

function sessionLabel(s: Session): string {
  const freed = s.entries.reduce((sum, e) => sum + e.freedBytes, 0);
  const n = s.entries.length;
  return `${formatDateTime(s.startedAt)} · ${formatCount(n)} ${n === 1 ? 'deletion' : 'deletions'} · ${formatBytes(freed)} freed`;
}

/** Which report: language (native radios, so arrows and one tab stop come for free), session, and saving it. */
export function ReportControls({ lang, onLang, session, sessions, onSession, onDownload, downloading }: Props) {
  // A session named in the URL but not (or not yet) in the journal still shows as chosen.
  const known = session === 'latest' || !sessions || sessions.some((s) => s.id === session);
  return (
    <div className={styles.controls}>
      <fieldset className={styles.langs}>
        <legend className="visually-hidden">Language</legend>
        {LANGS.map((l) => (
          <label key={l.value} className={styles.lang}>
            <input type="radio" name="report-lang" value={l.value} checked={lang === l.value} onChange={() => onLang(l.value)} />
            <span lang={l.value}>{l.label}</span>
          </label>
        ))}
      </fieldset>
      <label className={styles.field}>
        <span>Session</span>
        <select value={session} onChange={(e) => onSession(e.target.value)}>
          <option value="latest">Latest session</option>
          {!known && <option value={session}>{session}</option>}
          {sessions?.map((s) => (
            <option key={s.id} value={s.id}>
              {sessionLabel(s)}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className={styles.download} onClick={onDownload} disabled={!onDownload || downloading}>
        {downloading ? 'Preparing…' : 'Download .md'}
      </button>
    </div>
  );
}
