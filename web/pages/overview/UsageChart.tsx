import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { History } from '../../../shared/schemas/index.js';
import { formatBytes } from '../../format.js';
import { byteTicks, formatSampleTime, timeTickFormatter, usagePoints } from './overview-data.js';
import styles from './UsageChart.module.css';

// Recharts takes colours as props; CSS variables keep them following the theme.
const FS_COLOUR = 'var(--text-muted)';
const ROOT_COLOUR = 'var(--accent)';
const AXIS_TICK = { fill: 'var(--text-muted)', fontSize: 12 };

/** Root size and filesystem used space over the chosen range. */
export function UsageChart({ samples, fsTotal }: { samples: History['samples']; fsTotal: number }) {
  if (samples.length < 2) {
    return (
      <p className={styles.empty}>
        Collecting history… the first points appear after a few minutes of the server running.
      </p>
    );
  }
  const points = usagePoints(samples, fsTotal);
  const tick = timeTickFormatter(points[points.length - 1].t - points[0].t);
  const yTicks = byteTicks(Math.max(...points.map((p) => Math.max(p.root, p.fsUsed))));
  return (
    <div className={styles.chart} role="figure" aria-label="Disk usage over time">
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <defs>
            <linearGradient id="usage-root" x1="0" y1="0" x2="0" y2="1">
              <stop offset="0%" stopColor={ROOT_COLOUR} stopOpacity={0.45} />
              <stop offset="100%" stopColor={ROOT_COLOUR} stopOpacity={0.05} />
            </linearGradient>
          </defs>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={['dataMin', 'dataMax']}
            tickFormatter={tick}
            tick={AXIS_TICK}
            stroke="var(--border-strong)"
            minTickGap={40}
          />
          <YAxis
            // The ticks are round, so "200.0 GiB" only adds noise.
            tickFormatter={(v: number) => formatBytes(v).replace('.0 ', ' ')}
            tick={AXIS_TICK}
            stroke="var(--border-strong)"
            width={76}
            ticks={yTicks}
            domain={[0, yTicks[yTicks.length - 1]]}
          />
          <Tooltip
            formatter={(v) => formatBytes(Number(v))}
            labelFormatter={(t) => formatSampleTime(Number(t))}
            contentStyle={{
              background: 'var(--surface)',
              border: '1px solid var(--border-strong)',
              borderRadius: 6,
              color: 'var(--text)',
            }}
            labelStyle={{ color: 'var(--text-muted)', marginBottom: 4 }}
            cursor={{ stroke: 'var(--border-strong)' }}
          />
          <Legend wrapperStyle={{ fontSize: 13, color: 'var(--text)' }} />
          <Area
            type="linear"
            dataKey="fsUsed"
            name="Filesystem used"
            stroke={FS_COLOUR}
            fill={FS_COLOUR}
            fillOpacity={0.12}
            strokeDasharray="4 3"
            isAnimationActive={false}
          />
          <Area
            type="linear"
            dataKey="root"
            name="Checkpoints folder"
            stroke={ROOT_COLOUR}
            strokeWidth={2}
            fill="url(#usage-root)"
            isAnimationActive={false}
          />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}
