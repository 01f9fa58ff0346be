import type { Checkpoint } from '../../shared/schemas/index.js';
import styles from './IntegrityBadge.module.css';

type Status = Checkpoint['integrity']['status'];

// A symbol and a word next to the colour, so the status reads without colour vision.
const LOOK: Record<Status, { symbol: string; title: string }> = {
  ok: { symbol: '✓', title: 'Structure checked: the file is whole' },
  corrupt: { symbol: '✕', title: 'The file is damaged' },
  truncated: { symbol: '✂', title: 'The file ends early (an interrupted save?)' },
  writing: { symbol: '…', title: 'Still being written; checked once it stops changing' },
  unchecked: { symbol: '?', title: 'Not checked yet' },
};

export function IntegrityBadge({ status, detail }: { status: Status; detail?: string }) {
  const look = LOOK[status] ?? LOOK.unchecked;
  return (
    <span className={styles.badge} data-status={status} title={detail ? `${look.title}: ${detail}` : look.title}>
      <span aria-hidden="true" className={styles.symbol}>
        {look.symbol}
      </span>
      {status}
    </span>
  );
}
