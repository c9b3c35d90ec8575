// Preloaded into a child (`node --import`): writes the process's peak resident set size, in
// kilobytes, to the file named by MAX_RSS_FILE when it exits.
import { writeFileSync } from 'node:fs';

const file = process.env.MAX_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
