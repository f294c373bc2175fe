export function inCI(): boolean;
export function chromiumPath(): string;
export function javaCommand(): string;
export function missingChromium(): string | null;
export function missingJava(): string | null;
export const SUITES: Record<string, () => string[]>;
