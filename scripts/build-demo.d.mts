/** Types of scripts/build-demo.mjs, for bench/browser.ts. */
export declare const root: string;
export declare const demoDir: string;
export declare const distDir: string;
export declare function buildDemo(options?: { minify?: boolean; quiet?: boolean }): Promise<string>;
export declare function serveDir(dir: string, port?: number): Promise<{ url: string; close(): Promise<void> }>;
export declare function chromiumPath(): string;
export declare const CHROMIUM_ARGS: readonly string[];
export declare function launchChromium(): Promise<{ context: import('playwright-core').BrowserContext; close(): Promise<void> }>;
