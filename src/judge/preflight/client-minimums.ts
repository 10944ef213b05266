/**
 * The oldest Tailscale client each Headscale minor series accepts. Headscale compares the client's
 * capability version with a constant and rejects older clients at the Noise upgrade ("unsupported
 * client version"). The Tailscale version for a capability version is the first one that reports
 * it, from the table in 0.29.2 `hscontrol/capver/capver_generated.go`.
 */
export interface ClientMinimum {
  capabilityVersion: number;
  /** Oldest accepted Tailscale release as major.minor. */
  tailscale: string;
  /** Tag, file and constant the capability version was read from. */
  source: string;
}

/** Keyed by Headscale minor series, e.g. `0.29`. */
export const CLIENT_MINIMUMS: Readonly<Record<string, ClientMinimum>> = {
  // The 0.23.0 changelog states "The oldest supported client is 1.42", but the code accepts
  // capability version 61, which Tailscale 1.40 already reports.
  '0.23': { capabilityVersion: 61, tailscale: '1.40', source: 'v0.23.0 hscontrol/noise.go MinimumCapVersion' },
  '0.24': { capabilityVersion: 82, tailscale: '1.56', source: 'v0.24.0 hscontrol/noise.go MinimumCapVersion' },
  '0.25': { capabilityVersion: 88, tailscale: '1.62', source: 'v0.25.1 hscontrol/capver/capver.go MinSupportedCapabilityVersion' },
  '0.26': { capabilityVersion: 88, tailscale: '1.62', source: 'v0.26.1 hscontrol/capver/capver.go MinSupportedCapabilityVersion' },
  '0.27': { capabilityVersion: 90, tailscale: '1.64', source: 'v0.27.0 and v0.27.1 hscontrol/capver/capver.go MinSupportedCapabilityVersion' },
  '0.28': { capabilityVersion: 106, tailscale: '1.74', source: 'v0.28.0 hscontrol/capver/capver_generated.go MinSupportedCapabilityVersion' },
  '0.29': { capabilityVersion: 113, tailscale: '1.80', source: 'v0.29.0, v0.29.1 and v0.29.2 hscontrol/capver/capver_generated.go MinSupportedCapabilityVersion' },
};

/** The first series that enforces a minimum; 0.22 and earlier accept every client. */
export const FIRST_ENFORCING_MINOR = 23;
