import { Bar, BarChart, CartesianGrid, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Summary } from '../../../shared/schemas/index.js';
import { formatBytes, formatCount } from '../../format.js';
import styles from './Breakdown.module.css';

const ROW_PX = 30;
const AXIS_TICK = { fill: 'var(--text)', fontSize: 13 };

/** Bytes by tag as horizontal bars; a tag may overlap another, so the bars are not meant to add up. */
export function TagBreakdown({ tags }: { tags: Summary['tags'] }) {
  const rows = Object.entries(tags)
    .map(([tag, t]) => ({ tag, bytes: t.bytes, count: t.count }))
    .sort((a, b) => b.bytes - a.bytes);
  return (
    <section className={styles.panel} aria-labelledby="tags-title">
      <h2 id="tags-title" className={styles.title}>
        By tag
      </h2>
      {rows.length === 0 ? (
        <p className={styles.muted}>No tagged entries yet.</p>
      ) : (
        <div className={styles.chart} style={{ height: rows.length * ROW_PX + 28 }}>
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={rows} layout="vertical" margin={{ top: 0, right: 72, bottom: 0, left: 0 }}>
              <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" horizontal={false} />
              <XAxis
                type="number"
                tickFormatter={(v: number) => formatBytes(v)}
                tick={{ fill: 'var(--text-muted)', fontSize: 12 }}
                stroke="var(--border-strong)"
              />
              <YAxis type="category" dataKey="tag" width={110} tick={AXIS_TICK} stroke="var(--border-strong)" />
              <Tooltip
                formatter={(v, _name, item) => [
                  `${formatBytes(Number(v))} in ${formatCount((item.payload as { count: number }).count)} entries`,
                  'Size',
                ]}
                contentStyle={{
                  background: 'var(--surface)',
                  border: '1px solid var(--border-strong)',
                  borderRadius: 6,
                  color: 'var(--text)',
                }}
                cursor={{ fill: 'var(--surface-hover)' }}
              />
              <Bar dataKey="bytes" fill="var(--bar)" radius={[0, 4, 4, 0]} barSize={16} isAnimationActive={false}>
                <LabelList
                  dataKey="bytes"
                  position="right"
                  formatter={(v) => formatBytes(Number(v))}
                  style={{ fill: 'var(--text-muted)', fontSize: 12 }}
                />
              </Bar>
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
    </section>
  );
}
