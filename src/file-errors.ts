/**
 * Turns a file-system error into the few words a user needs ("no such file"), so
 * messages stay one line instead of Node's "ENOENT: no such file or directory, open …".
 */
export function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'it is a directory';
    case 'ENOTDIR': return 'a parent of it is not a directory';
    case 'ENOSPC': return 'no space left on the device';
    case 'EROFS': return 'the file system is read-only';
    case 'ELOOP': return 'too many symbolic links (do they point at each other?)';
    default: return error instanceof Error ? error.message : String(error);
  }
}
