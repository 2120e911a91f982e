// Node's Buffer has a fast latin1Slice (used by toString('latin1')) that @types/node omits.
declare global {
  interface Buffer {
    latin1Slice(start?: number, end?: number): string;
    latin1Write(s: string, offset?: number, length?: number): number;
  }
}
export {};
