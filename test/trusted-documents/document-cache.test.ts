import { describe, expect, it } from 'vitest';
import { DocumentCache } from '../../src/modules/trusted-documents/document-cache.js';

describe('DocumentCache', () => {
  it('holds at most its size, dropping the least recently used first', () => {
    const cache = new DocumentCache(2);
    cache.set('a', 'A');
    cache.set('b', 'B');
    expect(cache.get('a')).toBe('A'); // now b is the least recently used
    cache.set('c', 'C');
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    expect(cache.get('c')).toBe('C');
  });
});
