/** Quotes for POSIX shells only where needed, so simple commands stay readable. */
export function shellQuote(argument: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`;
}

/** One shell command line from its arguments, each quoted as needed. */
export function command(...args: string[]): string {
  return args.map(shellQuote).join(' ');
}
