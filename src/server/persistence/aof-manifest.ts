// The 7.0 multi-part AOF manifest: `file <name> seq <n> type <b|h|i>` lines naming one
// base file, history files awaiting deletion, and the incr files in order.
export type AofFileType = 'b' | 'h' | 'i';

export interface AofInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

export class AofManifestError extends Error {}

export class AofManifest {
  base: AofInfo | null = null;
  history: AofInfo[] = [];
  incr: AofInfo[] = [];
  baseSeq = 0;
  incrSeq = 0;

  clone(): AofManifest {
    const m = new AofManifest();
    m.base = this.base && { ...this.base };
    m.history = this.history.map((x) => ({ ...x }));
    m.incr = this.incr.map((x) => ({ ...x }));
    m.baseSeq = this.baseSeq;
    m.incrSeq = this.incrSeq;
    return m;
  }

  /** getNewBaseFileNameAndMarkPreAsHistory */
  newBase(prefix: string, rdbPreamble: boolean): string {
    if (this.base) this.history.push({ ...this.base, type: 'h' });
    const seq = ++this.baseSeq;
    const name = `${prefix}.${seq}.base.${rdbPreamble ? 'rdb' : 'aof'}`;
    this.base = { name, seq, type: 'b' };
    return name;
  }

  /** getNewIncrAofName */
  newIncr(prefix: string): string {
    const seq = ++this.incrSeq;
    const name = `${prefix}.${seq}.incr.aof`;
    this.incr.push({ name, seq, type: 'i' });
    return name;
  }

  /** markRewrittenIncrAofAsHistory: all incr files but the current one (all when AOF is off). */
  markRewrittenIncrAsHistory(aofOn: boolean): void {
    const keep = aofOn && this.incr.length > 0 ? [this.incr[this.incr.length - 1]!] : [];
    for (const i of this.incr) if (!keep.includes(i)) this.history.push({ ...i, type: 'h' });
    this.incr = keep;
  }

  toString(): string {
    const line = (i: AofInfo) => `file ${quoteName(i.name)} seq ${i.seq} type ${i.type}\n`;
    let s = '';
    if (this.base) s += line(this.base);
    for (const h of this.history) s += line(h);
    for (const i of this.incr) s += line(i);
    return s;
  }

  static parse(text: string): AofManifest {
    const m = new AofManifest();
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (lines.length === 0) throw new AofManifestError('Found an empty AOF manifest');
    let maxSeq = 0;
    for (const raw of lines) {
      if (raw.startsWith('#')) continue;
      const line = raw.trim();
      const argv = splitArgs(line);
      if (line === '' || !argv || argv.length < 6 || argv.length % 2)
        throw new AofManifestError('Invalid AOF manifest file format');
      let name = '';
      let seq = 0;
      let type = '';
      for (let i = 0; i < argv.length; i += 2) {
        const k = argv[i]!.toLowerCase();
        if (k === 'file') {
          name = argv[i + 1]!;
          if (name.includes('/')) throw new AofManifestError("File can't be a path, just a filename");
        } else if (k === 'seq') seq = parseInt(argv[i + 1]!, 10) || 0;
        else if (k === 'type') type = argv[i + 1]![0] ?? '';
      }
      if (!name || !seq || !type) throw new AofManifestError('Invalid AOF manifest file format');
      if (type === 'b') {
        if (m.base) throw new AofManifestError('Found duplicate base file information');
        m.base = { name, seq, type };
        m.baseSeq = seq;
      } else if (type === 'h') {
        m.history.push({ name, seq, type });
      } else if (type === 'i') {
        if (seq <= maxSeq) throw new AofManifestError('Found a non-monotonic sequence number');
        m.incr.push({ name, seq, type });
        m.incrSeq = seq;
        maxSeq = seq;
      } else {
        throw new AofManifestError('Unknown AOF file type');
      }
    }
    return m;
  }
}

/** Redis writes names with sdscatrepr only when they need quoting. */
function quoteName(n: string): string {
  if (/^[\x21-\x7e]+$/.test(n) && !/["'\\]/.test(n)) return n;
  return (
    '"' +
    n
      .replace(/[\\"]/g, (c) => '\\' + c)
      .replace(/[^\x20-\x7e]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0')) +
    '"'
  );
}

/** sdssplitargs subset: whitespace separated, double/single quoted tokens. */
function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    let tok = '';
    if (line[i] === '"' || line[i] === "'") {
      const q = line[i++];
      for (;;) {
        if (i >= line.length) return null;
        const ch = line[i]!;
        if (ch === '\\' && q === '"' && line[i + 1] === 'x' && /^[0-9a-f]{2}$/i.test(line.slice(i + 2, i + 4))) {
          tok += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 4;
        } else if (ch === '\\' && i + 1 < line.length) {
          tok += line[i + 1];
          i += 2;
        } else if (ch === q) {
          i++;
          break;
        } else {
          tok += ch;
          i++;
        }
      }
    } else {
      while (i < line.length && !/\s/.test(line[i]!)) tok += line[i++];
    }
    out.push(tok);
  }
  return out;
}
