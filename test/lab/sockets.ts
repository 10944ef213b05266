import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** One IP socket of a process, as /proc/net lists it. */
export interface ProcessSocket {
  protocol: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  localAddress: string;
  localPort: number;
}

/**
 * Lists the TCP and UDP sockets a process holds, read from /proc (Linux only). Listening,
 * connected and unconnected sockets all count, so a test can assert that a server touches
 * nothing but loopback.
 */
export function processSockets(pid: number): ProcessSocket[] {
  const inodes = socketInodes(pid);
  const sockets: ProcessSocket[] = [];
  for (const protocol of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    for (const line of readFileSync(`/proc/${pid}/net/${protocol}`, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const inode = fields[9];
      if (!local || !inode || !inodes.has(inode)) continue;

      const [hexAddress = '', hexPort = '0'] = local.split(':');
      sockets.push({ protocol, localAddress: decodeAddress(hexAddress), localPort: Number.parseInt(hexPort, 16) });
    }
  }

  return sockets;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // The descriptor closed while we listed them.
    }
  }

  return inodes;
}

/** /proc/net prints addresses as host-order 32-bit words in hex; on x86 and arm64 that is little-endian. */
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) => (word.match(/../g) ?? []).reverse().map((byte) => Number.parseInt(byte, 16)));
  if (bytes.length === 4) return bytes.join('.');

  const groups: string[] = [];
  for (let i = 0; i < bytes.length; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}
