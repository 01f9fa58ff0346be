import type { BigIntStats } from 'node:fs';
import {
  F64_STRIDE,
  F_DEV,
  F_DISK,
  F_SIZE,
  HI,
  I32_STRIDE,
  I_KIND,
  I_NLINK,
  KIND_DIR,
  KIND_MASK,
  KIND_OTHER,
  LO,
  W_OTHERFS,
  kindOfMode,
  type Batch,
} from './batch.js';
import { split64 } from './etag.js';

/**
 * One entry's lstat facts on their way into the index, from a walker batch
 * or from a single lstat; reused, so ingesting a batch allocates nothing per
 * entry. `stamps` is mtime ns lo/hi, ctime ns lo/hi, inode lo/hi.
 */
export class StatIn {
  kind = KIND_OTHER;
  size = 0;
  disk = 0;
  dev = 0;
  nlink = 0;
  readonly stamps = new Int32Array(6);
  err = '';
  otherFs = false;
  target: string | undefined = undefined;

  fromBatch(b: Batch, i: number, err: string, target: string | undefined): this {
    const o = i * I32_STRIDE;
    const kf = b.i32[o + I_KIND];
    this.kind = kf & KIND_MASK;
    this.otherFs = (kf & W_OTHERFS) !== 0;
    this.nlink = b.i32[o + I_NLINK];
    const f = i * F64_STRIDE;
    this.size = b.f64[f + F_SIZE];
    this.disk = b.f64[f + F_DISK];
    this.dev = b.f64[f + F_DEV];
    const u = i * 6;
    const s = this.stamps;
    s[0] = b.stamps[u + LO];
    s[1] = b.stamps[u + HI];
    s[2] = b.stamps[u + 2 + LO];
    s[3] = b.stamps[u + 2 + HI];
    s[4] = b.stamps[u + 4 + LO];
    s[5] = b.stamps[u + 4 + HI];
    this.err = err;
    this.target = target;
    return this;
  }

  /** From an lstat result; `undefined` with an error code for a name that could not be stat'ed. */
  fromStats(st: BigIntStats | undefined, err: string, rootDev: number, target?: string): this {
    this.err = err;
    this.target = target;
    this.stamps.fill(0);
    if (st === undefined) {
      this.kind = KIND_OTHER;
      this.size = this.disk = this.dev = this.nlink = 0;
      this.otherFs = false;
      return this;
    }
    this.kind = kindOfMode(Number(st.mode));
    this.size = Number(st.size);
    this.disk = Number(st.blocks) * 512;
    this.dev = Number(st.dev);
    this.nlink = Number(st.nlink);
    this.otherFs = this.kind === KIND_DIR && this.dev !== rootDev;
    const s = this.stamps;
    [s[0], s[1]] = split64(st.mtimeNs);
    [s[2], s[3]] = split64(st.ctimeNs);
    [s[4], s[5]] = split64(st.ino);
    return this;
  }
}
