import koffi from 'koffi';

/** The C library's dup(2), bound once; undefined where it cannot be loaded. */
let dup: ((fd: number) => number) | undefined | null = null;

function bind(): ((fd: number) => number) | undefined {
  const names =
    process.platform === 'darwin' ? ['libSystem.B.dylib'] : ['libc.so.6', 'libc.musl-x86_64.so.1', 'libc.so'];
  for (const name of names) {
    try {
      return koffi.load(name).func('int dup(int)') as (fd: number) => number;
    } catch {
      // the next name
    }
  }
  return undefined;
}

/**
 * A new descriptor for the same open socket or file (dup(2)), which its holder may close
 * without closing the original; undefined where dup is unavailable or fails.
 *
 * Threads that share a listening socket each need their own descriptor: an event loop closes
 * its handles' descriptors when its thread ends, and a descriptor closed under another
 * thread's loop aborts that loop (or, once the number is reused, closes something else).
 */
export function duplicateDescriptor(fd: number): number | undefined {
  if (dup === null) dup = bind();
  const copy = dup?.(fd);
  return copy !== undefined && copy >= 0 ? copy : undefined;
}
