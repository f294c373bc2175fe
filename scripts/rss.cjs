// Preloaded by the benchmark into the CLI process: reports its peak resident set size on exit.
process.on('exit', () => process.stderr.write(`\nmaxrss-kb ${process.resourceUsage().maxRSS}\n`));
