// harness — the command line. Only --help so far.
export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    console.log('Usage: harness <command> [options]\n\nCommands:\n  run      run a test (not yet implemented)\n');
    return 0;
  }
  console.error(`harness: unknown command '${argv[0]}'\nRun 'harness --help' for usage.`);
  return 254;
}
