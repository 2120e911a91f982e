// tsredis-sentinel sentinel.conf — not implemented yet.
export async function main(_argv: string[]): Promise<void> {
  process.stderr.write('tsredis-sentinel: not yet implemented\n');
  process.exit(1);
}
