// Makes a directory read-only for this process, for tests of storage that cannot be written. As a
// normal user a mode of 0555 does it; root ignores modes, so as root the directory is made
// immutable (chattr +i), where the file system supports it. Returns how to undo it, or why it
// cannot be done here (the caller skips, printing the reason).
import { execFileSync } from 'node:child_process';
import { chmodSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

/** Makes `dir` read-only; returns the undo function, or a string saying why it is not possible here. */
export function makeReadOnly(dir: string): (() => void) | string {
  const root = process.getuid?.() === 0;
  try {
    if (root) execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    else chmodSync(dir, 0o555);
  } catch (error) {
    return `cannot make ${dir} read-only (${root ? 'chattr +i' : 'chmod'}: ${(error as Error).message.split('\n')[0]})`;
  }
  const undo = (): void => {
    if (root) execFileSync('chattr', ['-i', dir], { stdio: 'ignore' });
    else chmodSync(dir, 0o755);
  };
  // The check that the directory now refuses a new file is what the tests rely on.
  const probe = join(dir, 'write-check');
  try {
    writeFileSync(probe, 'x');
    unlinkSync(probe);
    undo();
    return `${dir} stays writable after ${root ? 'chattr +i' : 'chmod 0555'}`;
  } catch {
    return undo;
  }
}
