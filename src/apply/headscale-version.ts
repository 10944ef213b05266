import { HeadsupError } from '../errors.js';
import { parseVersion, type Version } from '../judge/version.js';
import { describeFailure, type ProcessRunner } from '../platform/exec.js';

/**
 * The version a Headscale binary prints through `headscale version`, classified.
 *
 * - `release`: a tagged version, pre-releases included. `dirty` is true when the build came from a
 *   modified checkout, and `commit` is null when the build carries no commit.
 * - `dev`: a build without a release version (`dev`, `(devel)` or a Go pseudo-version). Headscale
 *   0.29 skips its upgrade-path check for such builds.
 * - `unparsed`: output in none of the known forms.
 */
export type BinaryVersion =
  | { kind: 'release'; version: Version; commit: string | null; dirty: boolean; raw: string }
  | { kind: 'dev'; raw: string }
  | { kind: 'unparsed'; raw: string };

/** The version string and build details found in one of the output forms, before interpretation. */
interface VersionFields {
  version: string;
  commit: string | null;
  dirty: boolean;
}

/**
 * Go pseudo-versions: `v0.0.0-20250101120000-abcdef123456`, `v0.29.3-0.20260701120000-abcdef123456`
 * (after a tag) and `v0.30.0-beta.1.0.20260701120000-abcdef123456` (after a pre-release tag).
 */
const PSEUDO_VERSION = /^v\d+\.\d+\.\d+-(?:[0-9A-Za-z.-]*\.)?\d{14}-[0-9a-f]{7,40}$/;
const DEV_VERSIONS = new Set(['dev', '(devel)']);
/** First line of the output of Headscale 0.27 and later: `headscale version v0.29.2`. */
const HEADLINE = /^headscale version (\S+)$/;
const COMMIT_LINE = /^commit: (\S+)$/m;
/** First line of `headscale version -o yaml` (0.27 and later). */
const YAML_VERSION_LINE = /^version: "?([^"\s]+)"?$/;

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Parses the output of `headscale version` in the forms of Headscale 0.23 to 0.29. Only the
 * plain output of 0.26.1–0.29.2 and the JSON of 0.27.1–0.29.2 were measured:
 *
 * - up to 0.25, one line with the tag: `v0.23.0`;
 * - 0.26, one line without the `v`: `0.26.1`;
 * - from 0.27, four lines: `headscale version v0.29.2`, `commit: …`, `build time: …` and
 *   `built with: go1.26.8 linux/amd64`, with `-dirty` after the version for a modified checkout;
 * - JSON: `{"version":"v0.23.0"}` up to 0.25, `{"version":"0.26.1","commit":"…"}` in 0.26 and
 *   `{"version","commit","buildTime","go","dirty"}` from 0.27, and the YAML form of the latter;
 * - `dev`, `(devel)` or a Go pseudo-version for builds without a release version.
 */
export function parseBinaryVersion(output: string): BinaryVersion {
  const raw = output.trim();
  const fields = extractFields(raw);
  if (fields === null) return { kind: 'unparsed', raw };

  return interpret(fields, raw);
}

/**
 * Runs `<binaryPath> version` and parses its output. The `version` subcommand must be the first
 * argument: Headscale then skips loading its config and the update check, so no config file is
 * needed. Throws a HeadsupError when the binary is missing, cannot be run, fails or times out.
 */
export async function readBinaryVersion(
  runner: ProcessRunner,
  binaryPath: string,
  options: { timeoutMs?: number } = {},
): Promise<BinaryVersion> {
  const result = await runner
    .run(binaryPath, ['version'], { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS })
    .catch((error: unknown) => {
      throw spawnError(binaryPath, error);
    });

  if (result.exitCode !== 0 || result.timedOut) {
    throw new HeadsupError('HEADSCALE_VERSION_FAILED', `Reading the Headscale version failed: ${describeFailure(result)}`, {
      hint: `Check that ${binaryPath} is a Headscale binary for this machine; \`${binaryPath} version\` should print its version.`,
    });
  }

  return parseBinaryVersion(result.stdout);
}

function extractFields(raw: string): VersionFields | null {
  if (raw.startsWith('{')) return fieldsFromJson(raw);

  const lines = raw.split('\n').map((line) => line.trim());
  const first = lines[0] ?? '';
  const headline = HEADLINE.exec(first);
  if (headline?.[1]) {
    const commit = COMMIT_LINE.exec(raw)?.[1] ?? null;
    return { version: headline[1], commit, dirty: false };
  }

  const yamlVersion = YAML_VERSION_LINE.exec(first);
  if (yamlVersion?.[1]) {
    const commit = COMMIT_LINE.exec(raw)?.[1] ?? null;
    const dirty = /^dirty: true$/m.test(raw);
    return { version: yamlVersion[1], commit, dirty };
  }

  // Up to 0.26 the plain output is the version alone.
  if (lines.length === 1 && /^\S+$/.test(first)) return { version: first, commit: null, dirty: false };

  return null;
}

function fieldsFromJson(raw: string): VersionFields | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }

  if (typeof parsed !== 'object' || parsed === null) return null;

  const record = parsed as Record<string, unknown>;
  if (typeof record.version !== 'string') return null;

  return {
    version: record.version,
    commit: typeof record.commit === 'string' ? record.commit : null,
    dirty: record.dirty === true,
  };
}

function interpret(fields: VersionFields, raw: string): BinaryVersion {
  let text = fields.version;
  let dirty = fields.dirty;

  // Headscale 0.27+ appends `-dirty` for a modified checkout; Go 1.24+ stamps `+dirty` itself.
  if (text.endsWith('-dirty') || text.endsWith('+dirty')) {
    text = text.slice(0, -'-dirty'.length);
    dirty = true;
  }

  if (DEV_VERSIONS.has(text) || PSEUDO_VERSION.test(text)) return { kind: 'dev', raw };

  // Other semver build metadata (`+ubuntu1`) does not change which release this is.
  const version = parseVersion(text.replace(/\+[0-9A-Za-z.-]+$/, ''));
  if (version === null) return { kind: 'unparsed', raw };

  return { kind: 'release', version, commit: knownCommit(fields.commit), dirty, raw };
}

/** Builds without VCS information report the commit as `unknown` (0.27+) or an empty string. */
function knownCommit(commit: string | null): string | null {
  if (commit === null || commit === '' || commit === 'unknown') return null;

  return commit;
}

function spawnError(binaryPath: string, error: unknown): HeadsupError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return new HeadsupError('HEADSCALE_BINARY_MISSING', `Headscale binary not found: ${binaryPath}`, {
      hint: 'Set the path of the installed Headscale binary, or install Headscale there.',
      cause: error,
    });
  }

  if (code === 'EACCES') {
    return new HeadsupError('HEADSCALE_BINARY_NOT_EXECUTABLE', `Headscale binary is not executable: ${binaryPath}`, {
      hint: `Make it executable with \`chmod 0755 ${binaryPath}\`.`,
      cause: error,
    });
  }

  return new HeadsupError('HEADSCALE_VERSION_FAILED', `Running \`${binaryPath} version\` failed: ${String(error)}`, { cause: error });
}
