import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyInfo } from '../models/checkpoint-info.js';
import { Store } from '../store/store.js';
import { tempDir } from '../test-utils/temp.js';
import { ModelCache } from './cache.js';

const info = () => ({ ...emptyInfo('torch-zip', { status: 'ok' as const }), epoch: 7, metrics: { val_px: 4.04 } });

describe('the model cache', () => {
  it('keeps results by path and etag across store reopenings', () => {
    const file = join(tempDir(), 'state.sqlite');
    const first = Store.open(file);
    new ModelCache(first).put('a.pt', 'etag1', { info: info(), readMs: 1000 });
    first.close();

    const store = Store.open(file);
    const cache = new ModelCache(store);
    expect(cache.persistent).toBe(true);
    expect(cache.get('a.pt', 'etag1')).toEqual({ info: info(), readMs: 1000 });
    expect(cache.get('a.pt', 'etag2')).toBeUndefined();
    cache.prune((p) => p !== 'a.pt');
    expect(cache.get('a.pt', 'etag1')).toBeUndefined();
    store.close();
  });

  it('treats a damaged row as a miss', () => {
    const store = Store.memory();
    store.putModelCache('a.pt', '1:etag1', '{not json', 0);
    store.putModelCache('b.pt', '1:etag1', JSON.stringify({ hello: 'world' }), 0);
    const cache = new ModelCache(store);
    expect(cache.get('a.pt', 'etag1')).toBeUndefined();
    expect(cache.get('b.pt', 'etag1')).toBeUndefined();
    store.close();
  });

  it('falls back to memory when the store stops accepting writes', () => {
    const store = Store.memory();
    const cache = new ModelCache(store);
    store.close();
    cache.put('a.pt', 'etag1', { info: info(), readMs: 5 });
    expect(cache.persistent).toBe(false);
    expect(cache.get('a.pt', 'etag1')?.info.epoch).toBe(7);
    cache.delete('a.pt');
    expect(cache.get('a.pt', 'etag1')).toBeUndefined();
  });
});
