import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Hop } from '../decide/path.js';
import { adviseConfig, runPreflight, type ConfigAdvice, type PreflightFinding } from '../judge/preflight/index.js';
import { formatVersion } from '../judge/version.js';
import { copyDatabase } from '../rehearse/sandbox.js';
import { markSandboxOwner } from '../rehearse/stale-sandboxes.js';
import type { ApplyContext } from './context.js';
import { readHeadscaleFiles, type Instance } from './instance.js';

export interface HopPreflight {
  hop: Hop;
  findings: PreflightFinding[];
  /** The config change this hop needs; null when the config is fine as it is. */
  configAdvice: ConfigAdvice | null;
}

export interface PreflightGateResult {
  ok: boolean;
  hops: HopPreflight[];
  /** One line per finding that blocks the upgrade, with its fix. */
  blocking: string[];
}

/**
 * Runs the pre-flight checks of every hop before anything stops. The database checks query a
 * private copy of the live database. Config changes chain from hop to hop: each hop is checked
 * against the config the previous hops' advice produced. A config change blocks the upgrade
 * unless `applyConfigChanges` allows it; the hop then writes it after its backup, so a rollback
 * restores the original config. Other failing checks always block.
 */
export async function runPreflightGate(
  context: ApplyContext,
  instance: Instance,
  hops: readonly Hop[],
  options: { applyConfigChanges: boolean },
): Promise<PreflightGateResult> {
  const files = await readHeadscaleFiles(instance.settings.config);
  await mkdir(context.rehearsalsDir, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(context.rehearsalsDir, `preflight-${instance.name}-`));
  try {
    await markSandboxOwner(dir);
    const databaseCopyPath = files.sqlitePath ? join(dir, 'db.sqlite') : null;
    if (files.sqlitePath && databaseCopyPath) await copyDatabase(files.sqlitePath, databaseCopyPath);

    let configText = await readFile(instance.settings.config, 'utf8');
    const results: HopPreflight[] = [];
    const blocking: string[] = [];
    for (const [index, hop] of hops.entries()) {
      const configPath = join(dir, `config-${index}.yaml`);
      await writeFile(configPath, configText, { mode: 0o600 });
      const findings = await runPreflight({
        headscaleConfigPath: configPath,
        files,
        from: hop.from,
        to: hop.to,
        databaseCopyPath,
        backupsDir: context.backupsDir,
        logger: context.logger,
      });
      const advice = adviseConfig(configText, hop.from, hop.to, instance.settings.config);
      const configAdvice = advice.proposed === configText ? null : advice;
      results.push({ hop, findings, configAdvice });
      report(context, instance, hop, findings, configAdvice, options.applyConfigChanges);
      blocking.push(...blockers(hop, findings, configAdvice, options.applyConfigChanges));
      if (configAdvice) configText = configAdvice.proposed;
    }
    return { ok: blocking.length === 0, hops: results, blocking };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function blockers(hop: Hop, findings: readonly PreflightFinding[], advice: ConfigAdvice | null, applyConfigChanges: boolean): string[] {
  const label = `${formatVersion(hop.from)} → ${formatVersion(hop.to)}`;
  const lines: string[] = [];
  for (const finding of findings) {
    if (finding.verdict !== 'fail') continue;
    const fixedByAdvice = finding.check.startsWith('config') && advice !== null && applyConfigChanges && advice.policyChanges.length === 0;
    if (fixedByAdvice) continue;
    const fix = finding.check === 'config' ? 'rerun with --apply-config-changes to make the change shown above' : finding.fix;
    lines.push(`${label} ${finding.check}: ${finding.message}${fix ? `\n    fix: ${fix}` : ''}`);
  }
  for (const change of advice?.policyChanges ?? []) lines.push(`${label} policy: ${change.instruction}`);
  const configBlocks = lines.some((line) => line.startsWith(`${label} config`));
  if (configBlocks && advice && !applyConfigChanges) {
    lines.push(`${label}: rerun with --apply-config-changes to make the proposed config change as part of the hop; a rollback restores the original config`);
  }
  return lines;
}

function report(
  context: ApplyContext,
  instance: Instance,
  hop: Hop,
  findings: readonly PreflightFinding[],
  advice: ConfigAdvice | null,
  applyConfigChanges: boolean,
): void {
  // The `config` finding only sums up the `config:<rule>` findings, so it is not counted again.
  const counted = findings.filter((finding) => finding.check !== 'config');
  const fixedByChange = (finding: PreflightFinding) => applyConfigChanges && advice !== null && advice.policyChanges.length === 0 && finding.check.startsWith('config:');
  const fixed = counted.filter((finding) => finding.verdict === 'fail' && fixedByChange(finding));
  const failed = counted.filter((finding) => finding.verdict === 'fail' && !fixedByChange(finding));
  const warned = counted.filter((finding) => finding.verdict === 'warn');
  const passed = counted.length - failed.length - warned.length - fixed.length;
  const summary = `${passed} passed, ${warned.length} warnings, ${failed.length} failed${fixed.length ? `, ${fixed.length} fixed by the approved config change` : ''}`;
  const details = [...failed, ...fixed, ...warned].map((finding) => `\n      ${fixed.includes(finding) ? 'fixed' : finding.verdict}: ${finding.check}: ${finding.message}`);
  const diff = advice ? `\n      proposed config change${applyConfigChanges ? ' (approved)' : ''}:\n${indent(advice.diff, '        ')}` : '';
  context.reporter.step({ instance: instance.name, hop, step: 'checks', status: failed.length ? 'failed' : 'done', detail: `${summary}${details.join('')}${diff}` });
}

function indent(text: string, prefix: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}
