/** The protocols openkka speaks: PayKKa v1.2 and PayKKa v3 (docs/api.md). */
export type Wire = 'v1.2' | 'v3';
