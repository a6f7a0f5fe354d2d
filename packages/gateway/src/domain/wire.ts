/** The protocols openkka speaks: PayKKa v1.2 and PayKKa v3 (docs/api.md). */
export type Wire = 'v1.2' | 'v3';

export const WIRES: readonly Wire[] = ['v1.2', 'v3'];

/** For values read from outside (the command line): only a protocol openkka speaks is one. */
export function isWire(value: unknown): value is Wire {
  return (WIRES as readonly unknown[]).includes(value);
}
