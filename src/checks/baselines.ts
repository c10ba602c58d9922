// In-process memory of counters between runs (Caracal's tamper and reload counters only grow).
import type { BaselineStore } from './types.ts';

export function memoryBaselines(): BaselineStore {
  const values = new Map<string, { value: number; at: Date }>();
  return {
    get: (key) => Promise.resolve(values.get(key)),
    set: (key, value, at) => {
      values.set(key, { value, at });
      return Promise.resolve();
    },
  };
}
