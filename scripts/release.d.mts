// Types of scripts/release.mjs, for its test.
export declare const RELEASED: readonly string[];
export declare function releaseProblems(root?: string): string[];
export declare function publishArgs(dryRun: boolean): string[];
