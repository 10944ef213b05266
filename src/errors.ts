import { ExitCode } from './cli/exit-codes.js';

/**
 * An error meant for an operator: a stable code, one line naming what failed on which value,
 * and a hint with the command or config key to change. Anything else that reaches the top-level
 * handler is a bug and is shown with its stack.
 */
export class HeadsupError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;

  constructor(code: string, message: string, options: { hint?: string; exitCode?: ExitCode; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'HeadsupError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.Error;
  }
}

export class ConfigError extends HeadsupError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('CONFIG_INVALID', message, { hint, exitCode: ExitCode.Usage, cause });
    this.name = 'ConfigError';
  }
}

export class UsageError extends HeadsupError {
  constructor(message: string, hint?: string) {
    super('USAGE', message, { hint, exitCode: ExitCode.Usage });
    this.name = 'UsageError';
  }
}
