// Types for compiled-edge.mjs (plain JavaScript: scripts/start.mjs runs without a TypeScript loader).
export declare const COMPILED_EDGE: string;
export declare const COMPILED_EDGE_STAMP: string;
export declare function readNextBuildId(root: string): string;
export declare function findCurrentCompiledEdge(root: string): string | undefined;
