import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Files the service scripts read and write, all inside the instance directory. */
export interface ServiceLayout {
  dir: string;
  binaryPath: string;
  configPath: string;
  pidPath: string;
  logPath: string;
}

export interface ServiceScripts {
  start: string;
  stop: string;
  status: string;
}

/** Exit status of status.sh when Headscale is not running, as `systemctl is-active` uses it. */
export const STATUS_NOT_RUNNING = 3;
/** Seconds stop.sh waits after SIGTERM before it sends SIGKILL, unless `HEADSUP_LAB_STOP_GRACE_SECONDS` sets another. */
export const STOP_GRACE_SECONDS = 20;

/**
 * Writes start.sh, stop.sh and status.sh into the instance directory: the commands a service
 * supervisor abstraction calls for this instance, in the manner of systemctl.
 *
 * - start.sh launches `<dir>/bin/headscale serve -c <config>` in a new session, detached, logging
 *   to headscale.log, and exits 0 once the pid file names the process. It resolves the binary
 *   path at every start, so it runs whatever file is at `<dir>/bin/headscale` at that moment.
 *   Like `systemctl start` of a simple unit, exit 0 means launched, not healthy. Exits 0 without
 *   a second launch when the server already runs.
 * - stop.sh sends SIGTERM, waits up to STOP_GRACE_SECONDS (or `$HEADSUP_LAB_STOP_GRACE_SECONDS`),
 *   then sends SIGKILL and waits up to 5 s more. Exits 0 when the server is stopped or was not
 *   running, and 1 when it survives SIGKILL.
 * - status.sh exits 0 when the server runs, STATUS_NOT_RUNNING when it does not.
 */
export async function writeServiceScripts(layout: ServiceLayout): Promise<ServiceScripts> {
  const scripts: ServiceScripts = {
    start: join(layout.dir, 'start.sh'),
    stop: join(layout.dir, 'stop.sh'),
    status: join(layout.dir, 'status.sh'),
  };

  const prelude = scriptPrelude(layout);
  await writeScript(scripts.start, prelude + START_BODY);
  await writeScript(scripts.stop, prelude + STOP_BODY);
  await writeScript(scripts.status, prelude + STATUS_BODY);

  return scripts;
}

async function writeScript(path: string, text: string): Promise<void> {
  await writeFile(path, text);
  await chmod(path, 0o755);
}

/** Quotes a value for a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function scriptPrelude(layout: ServiceLayout): string {
  return `#!/bin/sh
# Service script of a headsup lab instance of Headscale; written by test/lab/service-scripts.ts.
set -u
binary=${shellQuote(layout.binaryPath)}
config=${shellQuote(layout.configPath)}
pid_file=${shellQuote(layout.pidPath)}
log_file=${shellQuote(layout.logPath)}
dir=${shellQuote(layout.dir)}

# Prints the pid of the running server and succeeds, or fails when none runs. A stale pid file
# does not count, so the process must exist, must not be a zombie, and must have this config on
# its command line, because another program may have reused the pid.
running_pid() {
  [ -s "$pid_file" ] || return 1
  candidate=$(cat "$pid_file" 2>/dev/null) || return 1
  case "$candidate" in '' | *[!0-9]*) return 1 ;; esac
  kill -0 "$candidate" 2>/dev/null || return 1
  if [ -r "/proc/$candidate/stat" ]; then
    state=$(sed 's/^.*) //' "/proc/$candidate/stat" | cut -c1)
    [ "$state" = Z ] && return 1
    tr '\\0' '\\n' <"/proc/$candidate/cmdline" | grep -qxF -- "$config" || return 1
  fi
  echo "$candidate"
}
`;
}

const START_BODY = `
if pid=$(running_pid); then
  echo "headscale already running (pid $pid)"
  exit 0
fi
rm -f "$pid_file"

# Headscale also reads every config key from HEADSCALE_* variables, so they are unset here.
for name in $(env | sed -n 's/^\\(HEADSCALE_[A-Za-z0-9_]*\\)=.*/\\1/p'); do
  unset "$name"
done

cd "$dir" || exit 1
# The inner shell writes its own pid and then execs Headscale, so the pid file names the server
# even when setsid has to fork (it does when the caller runs with job control).
setsid sh -c 'echo $$ >"$1.new" && mv "$1.new" "$1" && exec "$2" serve -c "$3"' \\
  sh "$pid_file" "$binary" "$config" >>"$log_file" 2>&1 </dev/null &

tries=0
while [ ! -s "$pid_file" ]; do
  tries=$((tries + 1))
  if [ "$tries" -gt 100 ]; then
    echo "headscale did not write $pid_file within 10 s" >&2
    exit 1
  fi
  sleep 0.1
done
echo "headscale started (pid $(cat "$pid_file"))"
`;

const STOP_BODY = `
if ! pid=$(running_pid); then
  rm -f "$pid_file"
  echo "headscale not running"
  exit 0
fi

grace=\${HEADSUP_LAB_STOP_GRACE_SECONDS:-${STOP_GRACE_SECONDS}}
kill -TERM "$pid" 2>/dev/null
ticks=0
while running_pid >/dev/null; do
  ticks=$((ticks + 1))
  if [ "$ticks" -eq $((grace * 10)) ]; then
    echo "headscale (pid $pid) still running $grace s after SIGTERM; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null
  fi
  if [ "$ticks" -gt $((grace * 10 + 50)) ]; then
    echo "headscale (pid $pid) still running 5 s after SIGKILL" >&2
    exit 1
  fi
  sleep 0.1
done
rm -f "$pid_file"
echo "headscale stopped (pid $pid)"
`;

const STATUS_BODY = `
if pid=$(running_pid); then
  echo "active (pid $pid)"
  exit 0
fi
echo "inactive"
exit ${STATUS_NOT_RUNNING}
`;
